package civic

import "testing"

func TestClassificationValidate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in    Classification
		field string // "" when valid
		want  string // statute after Normalize
	}{
		{Classification{Class: ClassPublic, Reason: "posted by the city"}, "", ""},
		{Classification{Class: ClassPrivate, Statute: "13.43", Reason: "personnel"}, "", "13.43"},
		{Classification{Class: ClassPrivate, Statute: "Minn. Stat. § 13.601, subd. 2", Reason: "x"}, "", "13.601, subd. 2"},
		{Classification{Class: ClassNonpublic, Statute: "Minn. Stat. 13.82, subd. 7(a)", Reason: "x"}, "", "13.82, subd. 7(a)"},
		{Classification{Class: "secret", Reason: "x"}, "class", ""},
		{Classification{Class: ClassPrivate, Reason: "x"}, "statute", ""},
		{Classification{Class: ClassPrivate, Statute: "99.1", Reason: "x"}, "statute", ""},
		{Classification{Class: ClassPrivate, Statute: "13.43; DROP TABLE", Reason: "x"}, "statute", ""},
		{Classification{Class: ClassPublic, Statute: "13.43", Reason: "x"}, "statute", ""},
		{Classification{Class: ClassPrivate, Statute: "13.43", Reason: "   "}, "reason", ""},
	} {
		c.in.Normalize()
		err := c.in.Validate()
		if got := ErrorField(err); (err == nil) != (c.field == "") || got != c.field {
			t.Errorf("%+v: %v (field %q), want field %q", c.in, err, got, c.field)
		}
		if err == nil && c.in.Statute != c.want {
			t.Errorf("statute %q, want %q", c.in.Statute, c.want)
		}
	}
	p := Classification{Class: ClassPrivate, Statute: "13.43"}
	if got := p.Citation(); got != "Private data, Minn. Stat. 13.43" {
		t.Errorf("citation %q", got)
	}
}
