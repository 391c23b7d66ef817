-- Fallbacks of the approval chains and the second-review rule (issue 17):
-- a designee per role and department, a delegation while someone is away
-- (user_id acts for for_user_id from starts_on to ends_on), the next role in
-- the chain when nobody holds a step, and the fallback second reviewer.
CREATE TABLE stand_ins (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('designee', 'delegation', 'next_role', 'second_review')),
	role TEXT NOT NULL,
	department_id INTEGER REFERENCES departments (id),
	user_id INTEGER REFERENCES users (id),
	for_user_id INTEGER REFERENCES users (id),
	next_role TEXT NOT NULL,
	starts_on TIMESTAMP,
	ends_on TIMESTAMP,
	note TEXT NOT NULL,
	created_by INTEGER NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX stand_ins_kind ON stand_ins (kind);
