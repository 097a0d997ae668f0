-- A read-only query mix over pgbench_accounts (Barham's OSDB-IR row is information
-- retrieval: read-only queries over larger tables). One pgbench transaction runs all four.
\set lo random(1, 780000)
SELECT count(*), sum(abalance), avg(abalance) FROM pgbench_accounts WHERE aid BETWEEN :lo AND :lo + 20000;
SELECT bid, count(*), min(abalance), max(abalance) FROM pgbench_accounts WHERE aid BETWEEN :lo AND :lo + 10000 GROUP BY bid;
SELECT a.aid, a.abalance, b.bbalance FROM pgbench_accounts a JOIN pgbench_branches b ON a.bid = b.bid WHERE a.aid BETWEEN :lo AND :lo + 2000 ORDER BY a.abalance DESC, a.aid LIMIT 10;
SELECT abalance FROM pgbench_accounts WHERE aid = :lo + 777;
