package ctlxml

import "testing"

func TestValidTransition(t *testing.T) {
	allowed := map[[2]string]bool{
		{StatusSuspended, StatusReady}:     true,
		{StatusNew, StatusCancelled}:       true,
		{StatusPreparing, StatusCancelled}: true,
		{StatusSuspended, StatusCancelled}: true,
		{StatusReady, StatusCancelled}:     true,
		{StatusActive, StatusCancelled}:    true,
		{StatusPaused, StatusCancelled}:    true,
	}
	for _, from := range JobStatuses {
		for _, to := range append(JobStatuses, "", "ready", "Cancel") {
			if got := ValidTransition(from, to); got != allowed[[2]string{from, to}] {
				t.Errorf("ValidTransition(%q, %q) = %v", from, to, got)
			}
		}
	}
}

func TestStatusSets(t *testing.T) {
	if len(JobStatuses) != 13 {
		t.Fatalf("%d statuses", len(JobStatuses))
	}
	terminal := 0
	for _, s := range JobStatuses {
		if !ValidStatus(s) {
			t.Errorf("ValidStatus(%q) = false", s)
		}
		if IsTerminal(s) {
			terminal++
		}
	}
	if terminal != 3 || !IsTerminal(StatusComplete) || !IsTerminal(StatusCancelled) || !IsTerminal(StatusFailed) {
		t.Errorf("terminal statuses wrong")
	}
	for _, s := range []string{"", "active", "Done"} {
		if ValidStatus(s) {
			t.Errorf("ValidStatus(%q) = true", s)
		}
	}
	if !ValidRequestedStatus(StatusReady) || !ValidRequestedStatus(StatusCancelled) || ValidRequestedStatus(StatusActive) {
		t.Errorf("ValidRequestedStatus wrong")
	}
}

func TestOperationName(t *testing.T) {
	cases := map[string]Operation{
		OpS3PutObjectCopy:       {S3PutObjectCopy: &S3CopyObjectOperation{}},
		OpS3PutObjectTagging:    {S3PutObjectTagging: &S3SetObjectTaggingOperation{}},
		OpS3DeleteObjectTagging: {S3DeleteObjectTagging: &S3DeleteObjectTaggingOperation{}},
		OpS3ReplicateObject:     {S3ReplicateObject: &S3ReplicateObjectOperation{}},
		OpLambdaInvoke:          {Unsupported: OpLambdaInvoke},
		"":                      {},
	}
	for want, op := range cases {
		if got := op.Name(); got != want {
			t.Errorf("Name() = %q, want %q", got, want)
		}
	}
	if len(OperationNames) != 11 {
		t.Errorf("%d operation names", len(OperationNames))
	}
}
