#!/bin/sh
# Runs once, on an empty data directory: one role and one database each for Hydra and Kratos,
# so neither service can read or migrate the other's tables.
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<-SQL
	CREATE ROLE hydra LOGIN PASSWORD '${HYDRA_DB_PASSWORD}';
	CREATE DATABASE hydra OWNER hydra;
	CREATE ROLE kratos LOGIN PASSWORD '${KRATOS_DB_PASSWORD}';
	CREATE DATABASE kratos OWNER kratos;
SQL
