package ctlxml

import "slices"

// The JobStatus enumeration.
const (
	StatusActive     = "Active"
	StatusCancelled  = "Cancelled"
	StatusCancelling = "Cancelling"
	StatusComplete   = "Complete"
	StatusCompleting = "Completing"
	StatusFailed     = "Failed"
	StatusFailing    = "Failing"
	StatusNew        = "New"
	StatusPaused     = "Paused"
	StatusPausing    = "Pausing"
	StatusPreparing  = "Preparing"
	StatusReady      = "Ready"
	StatusSuspended  = "Suspended"
)

// JobStatuses is the JobStatus enumeration in the model's order.
var JobStatuses = []string{StatusActive, StatusCancelled, StatusCancelling, StatusComplete,
	StatusCompleting, StatusFailed, StatusFailing, StatusNew, StatusPaused, StatusPausing,
	StatusPreparing, StatusReady, StatusSuspended}

// ValidStatus reports whether s is a JobStatus value (as ListJobs'
// jobStatuses filter must be).
func ValidStatus(s string) bool { return slices.Contains(JobStatuses, s) }

// IsTerminal reports whether a job in status s has ended (Complete,
// Cancelled or Failed); a terminal job has a TerminationDate.
func IsTerminal(s string) bool {
	return s == StatusComplete || s == StatusCancelled || s == StatusFailed
}

// ValidRequestedStatus reports whether s is a value UpdateJobStatus accepts
// as requestedJobStatus (the RequestedJobStatus enumeration: Ready or
// Cancelled).
func ValidRequestedStatus(s string) bool { return s == StatusReady || s == StatusCancelled }

// cancellable are the statuses UpdateJobStatus may cancel.
var cancellable = []string{StatusNew, StatusPreparing, StatusSuspended, StatusReady, StatusActive, StatusPaused}

// ValidTransition reports whether UpdateJobStatus may move a job from
// status from to the requested status to: Suspended to Ready (confirming a
// job created with ConfirmationRequired), and New, Preparing, Suspended,
// Ready, Active or Paused to Cancelled. Every other pair, including a
// request for a status other than Ready or Cancelled, is refused with a
// JobStatusException.
func ValidTransition(from, to string) bool {
	switch to {
	case StatusReady:
		return from == StatusSuspended
	case StatusCancelled:
		return slices.Contains(cancellable, from)
	}
	return false
}
