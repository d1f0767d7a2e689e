// Package clock abstracts time so tests can control it.
package clock

import "time"

// Clock tells the time.
type Clock interface{ Now() time.Time }

// Real is the system clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// Fixed always returns T.
type Fixed struct{ T time.Time }

// Now returns f.T.
func (f Fixed) Now() time.Time { return f.T }
