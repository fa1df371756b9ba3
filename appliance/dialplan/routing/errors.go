package routing

import (
	"errors"
	"fmt"
)

// Refusals. Plan.Outbound, Plan.Inbound and Limiter.Start return errors
// that wrap one of these; Response maps each to the SIP response code the
// caller's leg gets and the name of the prompt the integrator plays.
var (
	// ErrNoRoute: no outbound route matches the number.
	// 404, prompt "no-route".
	ErrNoRoute = errors.New("no route for this number")
	// ErrIncomplete: the number is the beginning of a routable number.
	// 484, prompt "number-incomplete".
	ErrIncomplete = errors.New("number incomplete")
	// ErrForbidden: the caller's permission class does not allow the
	// number's class. 403, prompt "outside-calls-barred".
	ErrForbidden = errors.New("class forbids this number")
	// ErrBlocked: the number is on the outbound block list.
	// 403, prompt "number-barred".
	ErrBlocked = errors.New("number blocked")
	// ErrTimeOfDay: outside calls (or every route for the number) are
	// closed at this time. 403, prompt "outside-calls-closed".
	ErrTimeOfDay = errors.New("not allowed at this time")
	// ErrSuspended: the extension's outside calls are suspended until an
	// admin lifts it (Limiter.Lift). 403, prompt "outside-calls-suspended".
	ErrSuspended = errors.New("outside calls suspended")
	// ErrLimit: the extension reached its limit of concurrent calls or of
	// calls per hour. 403, prompt "call-limit-reached".
	ErrLimit = errors.New("call limit reached")
	// ErrTrunkBusy: the trunk reached its limit of concurrent calls or
	// calls per hour; try the next trunk. 503, prompt "all-lines-busy".
	ErrTrunkBusy = errors.New("trunk limit reached")
	// ErrBlacklisted: the inbound caller is on the blacklist with the
	// reject action. 603 (or the entry's code), prompt "" (none).
	ErrBlacklisted = errors.New("caller blacklisted")
	// ErrConfig: the configuration given to NewPlan has errors.
	ErrConfig = errors.New("routing configuration has errors")
)

var responses = []struct {
	err    error
	code   int
	prompt string
}{
	{ErrNoRoute, 404, "no-route"},
	{ErrIncomplete, 484, "number-incomplete"},
	{ErrForbidden, 403, "outside-calls-barred"},
	{ErrBlocked, 403, "number-barred"},
	{ErrTimeOfDay, 403, "outside-calls-closed"},
	{ErrSuspended, 403, "outside-calls-suspended"},
	{ErrLimit, 403, "call-limit-reached"},
	{ErrTrunkBusy, 503, "all-lines-busy"},
	{ErrBlacklisted, 603, ""},
}

// codeError carries a SIP code chosen by configuration (a blacklist
// entry's) in front of a sentinel.
type codeError struct {
	code int
	err  error
}

func (e *codeError) Error() string { return e.err.Error() }
func (e *codeError) Unwrap() error { return e.err }

// Response tells the SIP response code and prompt name for a refusal from
// this package; for nil it returns 0, ""; for any other error 500 and
// "call-failed".
func Response(err error) (code int, prompt string) {
	if err == nil {
		return 0, ""
	}
	var ce *codeError
	for _, r := range responses {
		if errors.Is(err, r.err) {
			if errors.As(err, &ce) {
				return ce.code, r.prompt
			}
			return r.code, r.prompt
		}
	}
	return 500, "call-failed"
}

// refuse wraps a sentinel with a detail for logs and CDRs.
func refuse(sentinel error, format string, args ...any) error {
	return fmt.Errorf("routing: %w: %s", sentinel, fmt.Sprintf(format, args...))
}
