-- Nothing on SQLite: its one instance sees its own writes, and an operator command's
-- writes move `PRAGMA data_version`, which the watch reads (server/src/db/mod.rs).
-- PostgreSQL's 0008 makes the coverage tables notify other instances. (Kept so that
-- both dialects number their migrations alike.)
SELECT 1;
