// Package civic holds Steward's domain: the types every other package speaks
// (departments, covered persons, users and their roles, sessions, API tokens,
// audit events), the error kinds, the authorization policy and the Store
// interface that the database adapters implement. It imports nothing internal.
package civic
