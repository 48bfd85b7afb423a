"""How data comes in: readers, header matching, units, validation, all-or-nothing loads.

Pipeline (one module per concern):
``readers`` (CSV UTF-8/GB18030, XLSX via python-calamine, Parquet → a table of strings)
→ ``headers`` (match columns by English key, Chinese name or synonym)
→ ``rules`` (vectorised parsers and checks, every problem at once)
→ ``errors`` (issues with file/sheet/row/column/value/rule, zh+en; the error file)
→ ``load`` (one transaction per import), with ``checks`` (checks needing the store), ``write``
(new/updated/unchanged; revisions) and ``batch`` (results, the batch log).
``registry`` reads market-regulation registry exports, ``mapping`` assigns chain
segments with evidence, ``templates`` writes fill-in templates, ``export`` lists
enterprises.
"""
