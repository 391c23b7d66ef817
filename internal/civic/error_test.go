package civic_test

import (
	"errors"
	"fmt"
	"testing"

	"steward.city/steward/internal/civic"
)

func TestErrorsJoined(t *testing.T) {
	t.Parallel()
	err := errors.Join(
		civic.Invalid("name", "give a name"),
		fmt.Errorf("reading: %w", civic.Invalid("date", "give a date")),
		civic.Invalid("name", "a second name error is not shown"),
		errors.Join(civic.Invalid("email", "give an e-mail address"), nil),
		errors.New("not a civic error"),
	)
	var got []string
	for _, e := range civic.Errors(err) {
		got = append(got, e.Field+": "+e.Message)
	}
	want := []string{"name: give a name", "date: give a date", "email: give an e-mail address"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Errors = %q, want %q", got, want)
	}
	if len(civic.Errors(nil)) != 0 || len(civic.Errors(errors.New("x"))) != 0 {
		t.Error("errors that are not civic errors were returned")
	}
	if one := civic.Errors(civic.Invalid("x", "y")); len(one) != 1 || one[0].Field != "x" {
		t.Errorf("one error: %v", one)
	}
}
