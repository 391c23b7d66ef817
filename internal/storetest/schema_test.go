package storetest

import (
	"database/sql"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// sqliteTypes and postgresTypes map each engine's column types to one
// name, so that a column is the same on both when its names agree. SQLite
// keeps the declared type; its INTEGER is 64 bits, PostgreSQL's bigint.
var (
	sqliteTypes = map[string]string{
		"INTEGER":   "integer",
		"TEXT":      "text",
		"BLOB":      "bytes",
		"TIMESTAMP": "time",
		"REAL":      "float",
		"BOOLEAN":   "boolean",
	}
	postgresTypes = map[string]string{
		"bigint":                   "integer",
		"integer":                  "integer", // small numbers: ids 1, steps, positions
		"text":                     "text",
		"bytea":                    "bytes",
		"timestamp with time zone": "time",
		"double precision":         "float",
		"boolean":                  "boolean",
	}
)

// engineOnlyTables are tables one engine has for its own way of doing
// something, left out of the comparison with their shadow tables.
var engineOnlyTables = map[string]string{
	"archive_fts": "SQLite's full-text index (FTS5, contentless); PostgreSQL searches archive_versions.tsv",
}

// schemaExceptions are the differences TestSchemasMatch reports that are
// meant, or known and not worth a migration, each with the reason. The key
// is the difference exactly as the test words it; an exception that no
// longer matches a difference fails the test, so that it is removed.
var schemaExceptions = map[string]string{
	// Search is written per engine (docs/archive.md, Search): SQLite drives
	// from archive_fts, PostgreSQL from a generated column and two indexes.
	"archive_versions.tsv: only in postgres (tsvector)":                                      "PostgreSQL's full-text search: to_tsvector('steward_search', text), generated (migration 009)",
	"archive_versions: index archive_versions_tsv: only in postgres (tsv)":                   "its GIN index",
	"archive_versions: index archive_versions_account_at: only in postgres (account_id, at)": "PostgreSQL reads an account's versions in a range; SQLite matches the account in archive_fts (acct)",
	// Ingest finds stored versions by their hash. SQLite keeps one unique
	// index keyed by item first (003_archive.sql says why: a hash-only index
	// rewrote thousands of pages per batch); PostgreSQL keeps a unique hash
	// index and a plain one by item. Both refuse the same duplicates, since
	// the hash covers the item and the capture time.
	"archive_versions: index archive_versions_item: sqlite unique (item_id, captured_at, hash), postgres (item_id, captured_at)": "ingest tuned per engine",
	"archive_versions: unique (hash): only in postgres (hash)":                                                                   "ingest tuned per engine",
	// A rowid table in SQLite takes NULL in a primary key that is not an
	// INTEGER (a bug SQLite keeps for compatibility). Steward never writes a
	// NULL key, and NOT NULL in SQLite would need each table rebuilt.
	"login_throttle.key: NOT NULL in postgres only":    "TEXT primary key of a SQLite rowid table",
	"moderation_codes.code: NOT NULL in postgres only": "TEXT primary key of a SQLite rowid table",
	"sessions.hash: NOT NULL in postgres only":         "BLOB primary key of a SQLite rowid table",
	"settings.key: NOT NULL in postgres only":          "TEXT primary key of a SQLite rowid table",
	"sign_in_devices.hash: NOT NULL in postgres only":  "BLOB primary key of a SQLite rowid table",
}

// TestSchemasMatch migrates a new SQLite database and a new PostgreSQL
// schema and compares what the migrations made: tables, columns (types
// through sqliteTypes and postgresTypes, NOT NULL), primary keys, indexes
// (name or, for UNIQUE constraints, columns; columns, unique, partial),
// foreign keys with their actions, and the number of CHECK constraints of
// each table. In PostgreSQL it also checks that each foreign key column
// has the type of the column it references, which the type mapping alone
// would not catch (integer referencing bigint). It runs whenever
// STEWARD_TEST_POSTGRES is set, and fails in CI without it.
func TestSchemasMatch(t *testing.T) {
	if os.Getenv(PostgresEnv) == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must compare the SQLite and PostgreSQL schemas (.ci/run starts PostgreSQL and sets it)", PostgresEnv)
		}
		t.Skipf("%s not set: the SQLite and PostgreSQL schemas are not compared", PostgresEnv)
	}
	now := func() time.Time { return time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC) }
	lite := readSQLiteSchema(t, OpenSQLite(t, now).DB())
	pg, typeErrs := readPostgresSchema(t, OpenPostgres(t, now).DB())

	diffs := append(compareSchemas(t, lite, pg), typeErrs...)
	found := map[string]bool{}
	for _, d := range diffs {
		found[d] = true
		if _, ok := schemaExceptions[d]; !ok {
			t.Errorf("schemas differ: %s\n\tfix it with a new migration in internal/sqlite/migrations or internal/postgres/migrations, or add it to schemaExceptions with the reason", d)
		}
	}
	for d := range schemaExceptions {
		if !found[d] {
			t.Errorf("schema exception %q no longer happens: remove it from schemaExceptions", d)
		}
	}
}

// TestQueueTablesMatch checks that both engines have the same job queue
// tables (River's, left out of TestSchemasMatch) and that there are some.
func TestQueueTablesMatch(t *testing.T) {
	if os.Getenv(PostgresEnv) == "" {
		t.Skipf("%s not set: the SQLite and PostgreSQL schemas are not compared", PostgresEnv)
	}
	now := func() time.Time { return time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC) }
	names := func(db *sql.DB, q string) []string {
		var out []string
		query(t, db, q, nil, func(rows *sql.Rows) error {
			var n string
			err := rows.Scan(&n)
			out = append(out, n)
			return err
		})
		slices.Sort(out)
		return out
	}
	lite := names(OpenSQLite(t, now).DB(), `SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'river\_%' ESCAPE '\'`)
	pg := names(OpenPostgres(t, now).DB(), `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'river\_%' ESCAPE '\'`)
	if len(lite) < 3 || !slices.Equal(lite, pg) {
		t.Errorf("job queue tables differ:\nsqlite:     %v\npostgresql: %v", lite, pg)
	}
}

type dbSchema map[string]*dbTable

type dbTable struct {
	columns map[string]dbColumn
	pk      []string
	indexes map[string]dbIndex // by "index NAME", or "unique (COLUMNS)" for a UNIQUE constraint
	fks     []string           // "(COLUMNS) → TABLE (COLUMNS) on update … on delete …", sorted
	checks  int
}

type dbColumn struct {
	typ     string // as the engine names it
	notNull bool
}

type dbIndex struct {
	columns []string
	unique  bool
	partial bool
}

func (ix dbIndex) String() string {
	s := "(" + strings.Join(ix.columns, ", ") + ")"
	if ix.unique {
		s = "unique " + s
	}
	if ix.partial {
		s += " where …"
	}
	return s
}

func newTable() *dbTable {
	return &dbTable{columns: map[string]dbColumn{}, indexes: map[string]dbIndex{}}
}

// sqlComment is a -- comment to the end of the line.
var (
	sqlComment = regexp.MustCompile(`--[^\n]*`)
	checkWord  = regexp.MustCompile(`(?i)\bCHECK\s*\(`)
)

// readSQLiteSchema reads the tables of db with pragma table_list,
// table_info, index_list, index_info and foreign_key_list, and counts the
// CHECK constraints in each table's CREATE TABLE statement.
func readSQLiteSchema(t *testing.T, db *sql.DB) dbSchema {
	t.Helper()
	type entry struct {
		name, typ    string
		withoutRowid bool
	}
	var tables []entry
	query(t, db, `SELECT name, type, wr FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`, nil, func(rows *sql.Rows) error {
		var e entry
		err := rows.Scan(&e.name, &e.typ, &e.withoutRowid)
		tables = append(tables, e)
		return err
	})
	s := dbSchema{}
	for _, e := range tables {
		if skipTable(e.name) {
			continue
		}
		if e.typ != "table" {
			t.Errorf("sqlite: %s is a %s: add it to engineOnlyTables or make it a table", e.name, e.typ)
			continue
		}
		tb := newTable()
		s[e.name] = tb
		type col struct {
			name, typ string
			notNull   bool
			pk        int
		}
		var cols []col
		query(t, db, `SELECT name, type, "notnull", pk FROM pragma_table_info(?)`, []any{e.name}, func(rows *sql.Rows) error {
			var c col
			err := rows.Scan(&c.name, &c.typ, &c.notNull, &c.pk)
			cols = append(cols, c)
			return err
		})
		slices.SortFunc(cols, func(a, b col) int { return a.pk - b.pk })
		for _, c := range cols {
			if c.pk > 0 {
				tb.pk = append(tb.pk, c.name)
			}
		}
		for _, c := range cols {
			// A primary key is NOT NULL when it is the rowid (one INTEGER
			// column) or the table is WITHOUT ROWID; otherwise SQLite
			// takes NULL unless the column says NOT NULL.
			rowid := c.pk > 0 && len(tb.pk) == 1 && strings.EqualFold(c.typ, "INTEGER")
			tb.columns[c.name] = dbColumn{typ: strings.ToUpper(c.typ), notNull: c.notNull || (c.pk > 0 && (rowid || e.withoutRowid))}
		}
		type idx struct {
			name, origin    string
			unique, partial bool
		}
		var idxs []idx
		query(t, db, `SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, []any{e.name}, func(rows *sql.Rows) error {
			var i idx
			err := rows.Scan(&i.name, &i.unique, &i.origin, &i.partial)
			idxs = append(idxs, i)
			return err
		})
		for _, i := range idxs {
			if i.origin == "pk" {
				continue // compared as the primary key
			}
			ix := dbIndex{unique: i.unique, partial: i.partial}
			query(t, db, `SELECT COALESCE(name, '(expression)') FROM pragma_index_info(?) ORDER BY seqno`, []any{i.name}, func(rows *sql.Rows) error {
				var c string
				err := rows.Scan(&c)
				ix.columns = append(ix.columns, c)
				return err
			})
			tb.indexes[indexKey(i.name, i.origin == "u", ix)] = ix
		}
		type fkPart struct {
			id                         int
			table, from, to, upd, dele string
		}
		var parts []fkPart
		query(t, db, `SELECT id, "table", "from", COALESCE("to", ''), on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, []any{e.name}, func(rows *sql.Rows) error {
			var p fkPart
			err := rows.Scan(&p.id, &p.table, &p.from, &p.to, &p.upd, &p.dele)
			parts = append(parts, p)
			return err
		})
		for i := 0; i < len(parts); {
			j := i
			var from, to []string
			for ; j < len(parts) && parts[j].id == parts[i].id; j++ {
				from, to = append(from, parts[j].from), append(to, parts[j].to)
			}
			p := parts[i]
			tb.fks = append(tb.fks, foreignKey(from, p.table, to, p.upd, p.dele))
			i = j
		}
		slices.Sort(tb.fks)
		var create string
		if err := db.QueryRow(`SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?`, e.name).Scan(&create); err != nil {
			t.Fatalf("sqlite: %s: %v", e.name, err)
		}
		tb.checks = len(checkWord.FindAllString(sqlComment.ReplaceAllString(create, ""), -1))
	}
	return s
}

// skipTable reports whether name is in engineOnlyTables or one of their
// shadow tables (NAME_data, NAME_idx, …).
func skipTable(name string) bool {
	// The job queue's tables are River's schema, made by River's migrator
	// for each engine and versioned in river_migration: they are compared
	// by name only (TestQueueTablesMatch), not column by column.
	if strings.HasPrefix(name, "river_") {
		return true
	}
	for t := range engineOnlyTables {
		if name == t || strings.HasPrefix(name, t+"_") {
			return true
		}
	}
	return false
}

// readPostgresSchema reads the tables of the current schema of db from
// information_schema and pg_catalog (pg_constraint, pg_index). It also
// returns, as differences, each foreign key whose columns' types are not
// those of the columns it references.
func readPostgresSchema(t *testing.T, db *sql.DB) (dbSchema, []string) {
	t.Helper()
	s := dbSchema{}
	query(t, db, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`, nil, func(rows *sql.Rows) error {
		var name string
		err := rows.Scan(&name)
		if !skipTable(name) {
			s[name] = newTable()
		}
		return err
	})
	query(t, db, `SELECT table_name, column_name, data_type, is_nullable = 'NO' FROM information_schema.columns WHERE table_schema = current_schema()`, nil, func(rows *sql.Rows) error {
		var table, name string
		var c dbColumn
		if err := rows.Scan(&table, &name, &c.typ, &c.notNull); err != nil {
			return err
		}
		if tb := s[table]; tb != nil {
			tb.columns[name] = c
		}
		return nil
	})
	// Columns of a constraint (conkey) or of what it references (confkey),
	// in order, comma-separated.
	const columnsOf = `array_to_string(ARRAY(SELECT a.attname FROM unnest(%s) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = %s AND a.attnum = k.n ORDER BY k.o), ',')`
	var typeErrs []string
	query(t, db, `SELECT cl.relname, co.contype::text, `+fmt.Sprintf(columnsOf, "co.conkey", "co.conrelid")+`,
			COALESCE(f.relname, ''), `+fmt.Sprintf(columnsOf, "co.confkey", "co.confrelid")+`,
			co.confupdtype::text, co.confdeltype::text,
			array_to_string(ARRAY(SELECT format_type(a.atttypid, a.atttypmod) FROM unnest(co.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.n ORDER BY k.o), ','),
			array_to_string(ARRAY(SELECT format_type(a.atttypid, a.atttypmod) FROM unnest(co.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.n ORDER BY k.o), ',')
		FROM pg_constraint co
		JOIN pg_class cl ON cl.oid = co.conrelid
		JOIN pg_namespace ns ON ns.oid = cl.relnamespace
		LEFT JOIN pg_class f ON f.oid = co.confrelid
		WHERE ns.nspname = current_schema() AND co.contype IN ('p', 'f', 'c')`, nil, func(rows *sql.Rows) error {
		var table, kind, cols, ftable, fcols, upd, del, types, ftypes string
		if err := rows.Scan(&table, &kind, &cols, &ftable, &fcols, &upd, &del, &types, &ftypes); err != nil {
			return err
		}
		tb := s[table]
		if tb == nil {
			return nil
		}
		switch kind {
		case "p":
			tb.pk = strings.Split(cols, ",")
		case "c":
			tb.checks++
		case "f":
			tb.fks = append(tb.fks, foreignKey(strings.Split(cols, ","), ftable, strings.Split(fcols, ","), pgAction[upd], pgAction[del]))
			if types != ftypes {
				typeErrs = append(typeErrs, fmt.Sprintf("postgres: %s (%s) is %s but references %s (%s), %s", table, cols, types, ftable, fcols, ftypes))
			}
		}
		return nil
	})
	for _, tb := range s {
		slices.Sort(tb.fks)
	}
	query(t, db, `SELECT t.relname, i.relname, ix.indisunique, ix.indpred IS NOT NULL,
			array_to_string(ARRAY(SELECT COALESCE(a.attname, '(expression)') FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(n, o) LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.n ORDER BY k.o), ','),
			COALESCE((SELECT co.contype::text FROM pg_constraint co WHERE co.conindid = ix.indexrelid AND co.conrelid = ix.indrelid AND co.contype IN ('p', 'u')), '')
		FROM pg_index ix
		JOIN pg_class i ON i.oid = ix.indexrelid
		JOIN pg_class t ON t.oid = ix.indrelid
		JOIN pg_namespace ns ON ns.oid = t.relnamespace
		WHERE ns.nspname = current_schema()`, nil, func(rows *sql.Rows) error {
		var table, name, cols, constraint string
		var ix dbIndex
		if err := rows.Scan(&table, &name, &ix.unique, &ix.partial, &cols, &constraint); err != nil {
			return err
		}
		tb := s[table]
		if tb == nil || constraint == "p" {
			return nil // primary keys are compared as such
		}
		ix.columns = strings.Split(cols, ",")
		tb.indexes[indexKey(name, constraint == "u", ix)] = ix
		return nil
	})
	slices.Sort(typeErrs)
	return s, typeErrs
}

// pgAction names pg_constraint's confupdtype and confdeltype codes as
// SQLite's foreign_key_list does.
var pgAction = map[string]string{"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}

// indexKey names an index for the comparison: a UNIQUE constraint's index
// by its columns (the engines name them differently), any other by its
// name.
func indexKey(name string, constraint bool, ix dbIndex) string {
	if constraint {
		return "unique (" + strings.Join(ix.columns, ", ") + ")"
	}
	return "index " + name
}

func foreignKey(from []string, table string, to []string, onUpdate, onDelete string) string {
	return fmt.Sprintf("(%s) → %s (%s) on update %s on delete %s", strings.Join(from, ", "), table, strings.Join(to, ", "), onUpdate, onDelete)
}

// compareSchemas returns every difference between lite and pg, sorted.
func compareSchemas(t *testing.T, lite, pg dbSchema) []string {
	var diffs []string
	add := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	for _, name := range unionKeys(lite, pg) {
		a, b := lite[name], pg[name]
		switch {
		case b == nil:
			add("table %s: only in sqlite", name)
			continue
		case a == nil:
			add("table %s: only in postgres", name)
			continue
		}
		for _, col := range unionKeys(a.columns, b.columns) {
			ca, inA := a.columns[col]
			cb, inB := b.columns[col]
			switch {
			case !inB:
				add("%s.%s: only in sqlite (%s)", name, col, ca.typ)
				continue
			case !inA:
				add("%s.%s: only in postgres (%s)", name, col, cb.typ)
				continue
			}
			ta, okA := sqliteTypes[ca.typ]
			tb, okB := postgresTypes[cb.typ]
			if !okA {
				t.Errorf("sqlite: %s.%s: type %s is not in sqliteTypes: add it", name, col, ca.typ)
			}
			if !okB {
				t.Errorf("postgres: %s.%s: type %s is not in postgresTypes: add it", name, col, cb.typ)
			}
			if okA && okB && ta != tb {
				add("%s.%s: type sqlite %s, postgres %s", name, col, ca.typ, cb.typ)
			}
			if ca.notNull != cb.notNull {
				engine := "sqlite"
				if cb.notNull {
					engine = "postgres"
				}
				add("%s.%s: NOT NULL in %s only", name, col, engine)
			}
		}
		if !slices.Equal(a.pk, b.pk) {
			add("%s: primary key sqlite (%s), postgres (%s)", name, strings.Join(a.pk, ", "), strings.Join(b.pk, ", "))
		}
		for _, key := range unionKeys(a.indexes, b.indexes) {
			ia, inA := a.indexes[key]
			ib, inB := b.indexes[key]
			switch {
			case !inB:
				add("%s: %s: only in sqlite %s", name, key, strings.TrimPrefix(ia.String(), "unique "))
			case !inA:
				add("%s: %s: only in postgres %s", name, key, strings.TrimPrefix(ib.String(), "unique "))
			case ia.String() != ib.String():
				add("%s: %s: sqlite %s, postgres %s", name, key, ia, ib)
			}
		}
		for _, fk := range a.fks {
			if !slices.Contains(b.fks, fk) {
				add("%s: foreign key %s: only in sqlite", name, fk)
			}
		}
		for _, fk := range b.fks {
			if !slices.Contains(a.fks, fk) {
				add("%s: foreign key %s: only in postgres", name, fk)
			}
		}
		if a.checks != b.checks {
			add("%s: CHECK constraints: sqlite %d, postgres %d", name, a.checks, b.checks)
		}
	}
	slices.Sort(diffs)
	return diffs
}

func unionKeys[V any](a, b map[string]V) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// query runs q and calls scan for each row, failing the test on any error.
func query(t *testing.T, db *sql.DB, q string, args []any, scan func(*sql.Rows) error) {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
