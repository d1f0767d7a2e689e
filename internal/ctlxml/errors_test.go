package ctlxml

import (
	"encoding/xml"
	"testing"
)

func TestErrorConstructors(t *testing.T) {
	cases := []struct {
		e      *Error
		code   string
		status int
	}{
		{NewBadRequest("m"), "BadRequestException", 400},
		{NewInvalidRequest("m"), "InvalidRequestException", 400},
		{NewNotFound("m"), "NotFoundException", 404},
		{NewJobStatus("m"), "JobStatusException", 400},
		{NewIdempotency("m"), "IdempotencyException", 409},
		{NewInvalidNextToken("m"), "InvalidNextTokenException", 400},
		{NewTooManyRequests("m"), "TooManyRequestsException", 429},
		{NewInternalService("m"), "InternalServiceException", 500},
	}
	for _, c := range cases {
		if c.e.Code != c.code || c.e.Status != c.status || c.e.Message != "m" || c.e.Error() != c.code+": m" {
			t.Errorf("%+v, want %s %d", c.e, c.code, c.status)
		}
	}
}

// The wrapped body carries Code and Message under ErrorResponse/Error, as
// aws-sdk-go-v2 (IsWrappedWithErrorTag) and botocore read them; text is
// escaped.
func TestMarshalErrorShape(t *testing.T) {
	body := MarshalError(NewJobStatus(`Job in status "Complete" can't move to <Ready> & such`), "r1", "h1")
	var doc struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Code      string   `xml:"Error>Code"`
		Message   string   `xml:"Error>Message"`
		RequestID string   `xml:"RequestId"`
		HostID    string   `xml:"HostId"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Code != CodeJobStatus || doc.Message != `Job in status "Complete" can't move to <Ready> & such` ||
		doc.RequestID != "r1" || doc.HostID != "h1" {
		t.Errorf("decoded %+v from %s", doc, body)
	}
}
