"""Reports for the office and the teachers: attendance, revenue, teacher load, group health, enrolment.

Each report is a function ``(session, tenant, *, start, end, …)`` that checks who may see what (the office
everything, a teacher their own classes, groups and pay; revenue is the office's only) and returns a
pydantic model whose ``rows`` is one flat table (dates, ids, names, counts, Decimal money), so that the
REST routes, the exports, the copilot and the charts all read the same numbers. Some reports carry a second
table (revenue: ``by_group``, ``by_method``, ``outstanding_by_age``; group health: ``months``); every table
is a list of flat rows.
"""
