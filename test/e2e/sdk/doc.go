// Package sdk holds ferry's end-to-end tests driven by aws-sdk-go-v2: a real
// server is started in-process and exercised through the SDK (plain HTTP,
// and HTTPS through a TLS-terminating TCP relay where the SDK behaves
// differently, e.g. trailing checksums), the S3 transfer manager, the
// presign client and hand-built signed aws-chunked requests.
package sdk
