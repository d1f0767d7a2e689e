package ctlxml

import "strconv"

// Every response encoder returns a complete body: the XML declaration, then
// the root element in Namespace with members in the model's order.

// MarshalCreateJobResult renders <CreateJobResult><JobId/></CreateJobResult>.
func MarshalCreateJobResult(jobID string) []byte {
	w := writer{}
	w.root("CreateJobResult")
	w.leaf("JobId", jobID)
	w.close("CreateJobResult")
	return w.buf.Bytes()
}

// MarshalDescribeJob renders <DescribeJobResult><Job>…</Job></DescribeJobResult>.
func MarshalDescribeJob(j *JobDescriptor) []byte {
	w := writer{}
	w.root("DescribeJobResult")
	w.open("Job")
	w.leaf("JobId", j.JobID)
	w.boolean("ConfirmationRequired", j.ConfirmationRequired)
	w.optional("Description", j.Description)
	w.optional("JobArn", j.JobArn)
	w.leaf("Status", j.Status)
	if j.Manifest != nil {
		w.manifest(j.Manifest)
	}
	if j.Operation != nil {
		w.operation(j.Operation)
	}
	w.leaf("Priority", strconv.Itoa(j.Priority))
	w.progress(j.ProgressSummary)
	w.optional("StatusUpdateReason", j.StatusUpdateReason)
	w.open("FailureReasons")
	for _, f := range j.FailureReasons {
		w.open("member")
		w.leaf("FailureCode", f.FailureCode)
		w.leaf("FailureReason", f.FailureReason)
		w.close("member")
	}
	w.close("FailureReasons")
	if j.Report != nil {
		w.report(j.Report)
	}
	w.leaf("CreationTime", FormatTime(j.CreationTime))
	w.nonZeroTime("TerminationDate", j.TerminationDate)
	w.optional("RoleArn", j.RoleArn)
	w.nonZeroTime("SuspendedDate", j.SuspendedDate)
	w.optional("SuspendedCause", j.SuspendedCause)
	if j.ManifestGenerator != nil {
		w.manifestGenerator(j.ManifestGenerator)
	}
	if d := j.GeneratedManifestDescriptor; d != nil {
		w.open("GeneratedManifestDescriptor")
		w.optional("Format", d.Format)
		if d.Location != nil {
			w.location(d.Location)
		}
		w.close("GeneratedManifestDescriptor")
	}
	w.close("Job")
	w.close("DescribeJobResult")
	return w.buf.Bytes()
}

// MarshalListJobs renders <ListJobsResult><NextToken/>?<Jobs><member>…</member>…</Jobs></ListJobsResult>;
// NextToken only when not empty, Jobs always (empty when there are none).
func MarshalListJobs(jobs []JobListDescriptor, nextToken string) []byte {
	w := writer{}
	w.root("ListJobsResult")
	w.optional("NextToken", nextToken)
	w.open("Jobs")
	for i := range jobs {
		j := &jobs[i]
		w.open("member")
		w.leaf("JobId", j.JobID)
		w.optional("Description", j.Description)
		w.optional("Operation", j.Operation)
		w.leaf("Priority", strconv.Itoa(j.Priority))
		w.leaf("Status", j.Status)
		w.leaf("CreationTime", FormatTime(j.CreationTime))
		w.nonZeroTime("TerminationDate", j.TerminationDate)
		w.progress(j.ProgressSummary)
		w.close("member")
	}
	w.close("Jobs")
	w.close("ListJobsResult")
	return w.buf.Bytes()
}

// MarshalUpdateJobPriority renders
// <UpdateJobPriorityResult><JobId/><Priority/></UpdateJobPriorityResult>.
func MarshalUpdateJobPriority(jobID string, priority int) []byte {
	w := writer{}
	w.root("UpdateJobPriorityResult")
	w.leaf("JobId", jobID)
	w.leaf("Priority", strconv.Itoa(priority))
	w.close("UpdateJobPriorityResult")
	return w.buf.Bytes()
}

// MarshalUpdateJobStatus renders
// <UpdateJobStatusResult><JobId/><Status/><StatusUpdateReason/></UpdateJobStatusResult>,
// StatusUpdateReason only when reason is not empty.
func MarshalUpdateJobStatus(jobID, status, reason string) []byte {
	w := writer{}
	w.root("UpdateJobStatusResult")
	w.leaf("JobId", jobID)
	w.leaf("Status", status)
	w.optional("StatusUpdateReason", reason)
	w.close("UpdateJobStatusResult")
	return w.buf.Bytes()
}

// MarshalCreateJobRequest renders r as a client sends it (root
// <CreateJobRequest xmlns=…>, no XML declaration, members in the model's
// order). For any r returned by DecodeCreateJob, decoding the result gives
// r again.
func MarshalCreateJobRequest(r *CreateJobRequest) []byte {
	w := writer{}
	w.buf.WriteString(`<CreateJobRequest xmlns="` + Namespace + `">`)
	w.optBool("ConfirmationRequired", r.ConfirmationRequired)
	w.operation(&r.Operation)
	w.report(&r.Report)
	w.leaf("ClientRequestToken", r.ClientRequestToken)
	if r.Manifest != nil {
		w.manifest(r.Manifest)
	}
	w.optional("Description", r.Description)
	w.leaf("Priority", strconv.Itoa(r.Priority))
	w.leaf("RoleArn", r.RoleArn)
	w.tags("Tags", r.Tags)
	if r.ManifestGenerator != nil {
		w.manifestGenerator(r.ManifestGenerator)
	}
	w.close("CreateJobRequest")
	return w.buf.Bytes()
}

// progress writes a JobProgressSummary when s is not nil.
func (w *writer) progress(s *ProgressSummary) {
	if s == nil {
		return
	}
	w.open("ProgressSummary")
	w.integer("TotalNumberOfTasks", s.TotalNumberOfTasks)
	w.integer("NumberOfTasksSucceeded", s.NumberOfTasksSucceeded)
	w.integer("NumberOfTasksFailed", s.NumberOfTasksFailed)
	if s.Timers != nil {
		w.open("Timers")
		w.integer("ElapsedTimeInActiveSeconds", s.Timers.ElapsedTimeInActiveSeconds)
		w.close("Timers")
	}
	w.close("ProgressSummary")
}
