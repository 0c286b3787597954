-- A point query with a random key.
\set id random(1, 100)
SELECT v FROM kv WHERE id = :id;
