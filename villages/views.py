"""Pages of geography. The village and township exit page combines households and lives in
dashboards/; geography keeps its records in the admin site and the API."""
