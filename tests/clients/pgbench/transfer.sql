-- One pgbench transaction: each client moves a unit into its own account (no two clients
-- write the same row), reads it back and logs the move.
\set id :client_id + 1
\set delta random(1, 5)
BEGIN;
UPDATE acc SET bal = bal + :delta WHERE id = :id;
SELECT bal FROM acc WHERE id = :id;
INSERT INTO hist (id, delta) VALUES (:id, :delta);
END;
