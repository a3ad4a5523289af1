"""The demo county 元谋县, generated from the 2016 report (see fixtures/SOURCES.md)."""
