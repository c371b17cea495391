"""Rendering results for people: text reports, HTML pages and inline SVG charts.

[`mteam.report.charts`][mteam.report.charts] turns result values into SVG strings written by
mteam itself (no plotting dependency); [`mteam.report.html`][mteam.report.html] composes them
with headings, paragraphs and tables into one self-contained HTML page. This package is the
edge: the domain never formats.
"""
