"""Pictures and files made from a pain diary: the chart (PNG), the care-team report (PDF), the CSV export.

SKELETON (issue 14): reports.chart.render_chart(entries, now) -> bytes (PNG),
reports.report.render_report(entries, summary, now) -> bytes (PDF), reports.export.to_csv(entries) -> str.
"""
