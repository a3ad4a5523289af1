"""Writes to geography. (Its pre-aggregated figures count households: the households app refreshes them.)"""
