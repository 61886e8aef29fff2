"""Drift that suggests, and narrative figures checked against the data (issue 18.2).

`rules` decides from a measure's monthly figures whether it has drifted against its baseline
for enough months in a row; `narrative` finds the figures a narrative gives for a measure;
`task` reads what one risk's or condition's task page needs (a fixed number of queries, one of
them for every figure) and builds its suggestions and flags; `services` records accepting
(through the risk's or condition's own save service) or dismissing a suggestion.
"""
