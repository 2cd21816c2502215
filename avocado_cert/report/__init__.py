"""From job results to a verdict: records, scoring, the report files (JSON, HTML, JUnit) and comparisons."""
