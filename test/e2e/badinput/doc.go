// Package badinput holds ferry's end-to-end tests for malformed and
// unauthorized requests: each one must get the AWS status and error code,
// a well-formed error document, and must change nothing on the server.
package badinput
