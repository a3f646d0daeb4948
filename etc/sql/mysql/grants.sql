-- The two database accounts of sellertrustd (SPEC §6): a read-only account
-- on the operator's source database, and an account that owns the results
-- database and nothing else, so the daemon can never write the source.
--
-- Run as a database administrator after creating both databases. Replace
-- @RO_PASSWORD@ and @RW_PASSWORD@ (scripts/mariadb-test-server.sh does it with
-- random passwords) and narrow the host '%' to the daemon's address. Safe to
-- run again: it resets the passwords and re-applies the grants.

CREATE USER IF NOT EXISTS 'sellertrust_ro'@'%';
ALTER USER 'sellertrust_ro'@'%' IDENTIFIED BY '@RO_PASSWORD@';
-- SELECT only: the tables or views of SPEC §1 and, through it, their
-- information_schema rows (--check-config reads columns and indexes).
GRANT SELECT ON sellertrust_source.* TO 'sellertrust_ro'@'%';

CREATE USER IF NOT EXISTS 'sellertrust_rw'@'%';
ALTER USER 'sellertrust_rw'@'%' IDENTIFIED BY '@RW_PASSWORD@';
-- The daemon creates and migrates its own tables here (SPEC §6).
GRANT ALL PRIVILEGES ON sellertrust_results.* TO 'sellertrust_rw'@'%';
