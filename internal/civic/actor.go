package civic

// Actor is who does something: a signed-in user, the command line, a named
// Steward process (capture, the scheduler, the demo seeder), or someone
// anonymous (a member of the public, a webhook). Every service call that
// checks a permission takes one, and the store records it with each audit
// event.
//
// The zero Actor is anonymous: it holds no permission, so an actor left
// unset is refused, never trusted. Only ActorOf, CLI, System and Process
// make actors that hold permissions; an Actor written as a literal is
// anonymous whatever its UserID and Label say.
type Actor struct {
	UserID int64  // the user, or 0
	Label  string // what the audit log names: the user's e-mail address, "cli", "system", "public"…

	kind actorKind
	user *User
}

type actorKind uint8

const (
	actorAnonymous actorKind = iota
	actorUser
	actorCLI
	actorSystem
)

// CLI is the command line, run by whoever holds the server's files and
// keys; it may do everything the policy lets anyone do.
var CLI = Actor{Label: "cli", kind: actorCLI}

// System is Steward itself, for work no person asked for.
var System = Actor{Label: "system", kind: actorSystem}

// Anonymous is someone who has not signed in.
var Anonymous = Actor{Label: "anonymous"}

// Public is a member of the public using a public form (an inquiry about a
// removed comment); anonymous, named "public" in the audit log.
var Public = Actor{Label: "public"}

// Process is a named part of Steward doing its own work ("demo", "capture"):
// trusted like System, recorded under its name.
func Process(name string) Actor { return Actor{Label: name, kind: actorSystem} }

// ActorOf is the actor for a signed-in user; nil is Anonymous. A disabled
// user holds no permission.
func ActorOf(u *User) Actor {
	if u == nil {
		return Anonymous
	}
	return Actor{UserID: u.ID, Label: u.Email, kind: actorUser, user: u}
}

// User is the signed-in user acting, or nil when the actor is not a user.
func (a Actor) User() *User { return a.user }

// IsUser reports whether a is a signed-in user.
func (a Actor) IsUser() bool { return a.kind == actorUser && a.user != nil }

// Trusted reports whether a is the command line or Steward itself, which
// the role policy does not restrict.
func (a Actor) Trusted() bool { return a.kind == actorCLI || a.kind == actorSystem }

// IsCLI reports whether a is the command line.
func (a Actor) IsCLI() bool { return a.kind == actorCLI }

// Anonymous reports whether a holds no identity at all.
func (a Actor) Anonymous() bool { return a.kind == actorAnonymous }

// Can reports whether a may do p: the command line and Steward always, a
// user when one of their roles allows it, anyone anonymous never.
func (a Actor) Can(p Permission) bool {
	switch a.kind {
	case actorCLI, actorSystem:
		return true
	case actorUser:
		return a.user.Can(p)
	}
	return false
}

// Has reports whether a is a user holding role r.
func (a Actor) Has(r Role) bool { return a.IsUser() && a.user.Has(r) }

// Require returns a KindForbidden error unless a may do p.
func Require(a Actor, p Permission) error {
	if a.Can(p) {
		return nil
	}
	if a.kind == actorAnonymous {
		return Errorf(KindForbidden, "sign in to do this")
	}
	return Errorf(KindForbidden, "your roles do not allow this")
}

// Is reports whether a is the signed-in user userID.
func (a Actor) Is(userID int64) bool { return a.IsUser() && a.UserID == userID }
