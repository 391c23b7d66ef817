package civic

import (
	"errors"
	"fmt"
)

// Kind classifies an error so that each adapter (HTTP, CLI) can answer it the
// same way. The zero Kind is KindInternal.
type Kind int

// Error kinds. Each maps to exactly one HTTP status in the server package.
const (
	KindInternal     Kind = iota // a bug or an unexpected failure; details are logged, not shown
	KindInvalid                  // the input is wrong; Field names what
	KindNotFound                 // the object does not exist (or the caller may not know it does)
	KindConflict                 // the change collides with existing data (a duplicate name)
	KindUnauthorized             // the caller is not signed in or its credentials are wrong
	KindForbidden                // the caller is signed in but its roles do not allow this
	KindUnavailable              // a dependency (database, provider) cannot be reached now
	KindTooMany                  // the caller must wait before trying again
	KindTooLarge                 // the request is larger than Steward takes
)

var kindNames = [...]string{"internal", "invalid", "not_found", "conflict", "unauthorized", "forbidden", "unavailable", "too_many_requests", "too_large"}

// String returns the kind's stable code, used in API error bodies.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "internal"
}

// Error is an error with a kind, a client-safe message and, for invalid
// input, the field it concerns. Err, when set, is the underlying cause; it is
// logged but never shown to a client.
type Error struct {
	Kind    Kind
	Field   string
	Message string
	Err     error
}

func (e *Error) Error() string {
	switch {
	case e.Field != "" && e.Err != nil:
		return fmt.Sprintf("%s: %s: %v", e.Field, e.Message, e.Err)
	case e.Field != "":
		return e.Field + ": " + e.Message
	case e.Err != nil:
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind with a formatted, client-safe message.
func Errorf(kind Kind, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a KindInvalid error about one input field.
func Invalid(field, format string, args ...any) error {
	return &Error{Kind: KindInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorKind returns the kind of the first *Error in err's chain, or
// KindInternal when there is none.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// ErrorMessage returns the client-safe message of err: the message of the
// first *Error in its chain, or a generic text for internal errors.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != KindInternal {
		return e.Message
	}
	return "internal error"
}

// ErrorField returns the input field err concerns, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// Wrap adds the operation name to *errp, keeping its kind. Use it deferred:
//
//	defer civic.Wrap(&err, "CreateUser(%q)", email)
func Wrap(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *errp)
	}
}

// Errors returns every *Error in err, which may join several
// (errors.Join), in order, the first for each field: a form shows all of
// its mistakes at once, not one per submission.
func Errors(err error) []*Error {
	var out []*Error
	seen := map[string]bool{}
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var e *Error
		if errors.As(err, &e) {
			if e.Field == "" || !seen[e.Field] {
				seen[e.Field] = true
				out = append(out, e)
			}
		}
	}
	walk(err)
	return out
}
