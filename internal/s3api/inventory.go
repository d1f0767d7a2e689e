package s3api

import (
	"net/http"

	"github.com/ferrys3/ferry/internal/inventoryconf"
	"github.com/ferrys3/ferry/internal/s3err"
)

// PutBucketInventoryConfiguration.
func putBucketInventory(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	doc, err := q.readSmallBody(inventoryconf.MaxDocumentSize)
	if err != nil {
		return err
	}
	if err := q.checkDigest(doc, false); err != nil {
		return err
	}
	cfg, err := inventoryconf.Parse(doc, q.q.Get("id"))
	if err != nil {
		return err
	}
	if err := q.h.inventory.PutConfiguration(q.r.Context(), q.bucket, cfg); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusOK)
	return nil
}

// GetBucketInventoryConfiguration, or ListBucketInventoryConfigurations
// without an id.
func getBucketInventory(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	id := q.q.Get("id")
	if !q.q.Has("id") {
		cfgs, err := q.h.inventory.Configurations(q.r.Context(), q.bucket)
		if err != nil {
			return err
		}
		// One page holds every configuration (at most 1,000, as AWS lists).
		return q.writeRawXML(http.StatusOK, inventoryconf.MarshalList(cfgs, q.q.Get("continuation-token"), "", false))
	}
	if id == "" {
		return s3err.ErrInvalidArgument.With("Invalid id").WithExtra("ArgumentName", "id")
	}
	cfg, err := q.h.inventory.Configuration(q.r.Context(), q.bucket, id)
	if err != nil {
		return err
	}
	return q.writeRawXML(http.StatusOK, cfg.Marshal())
}

func deleteBucketInventory(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	if err := q.h.inventory.DeleteConfiguration(q.r.Context(), q.bucket, q.q.Get("id")); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}
