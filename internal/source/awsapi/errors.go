package awsapi

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/smithy-go"
)

// apiFailure is an API error reduced to what a report and a snapshot keep: the error code and
// message. Diagnostics are built from it alone, so a snapshot scan reproduces them exactly.
type apiFailure struct {
	Code    string
	Message string
}

func (f apiFailure) Error() string {
	if f.Message == "" {
		return f.Code
	}
	return f.Code + ": " + f.Message
}

// Codes given to failures that did not come from the service.
const (
	codeTimeout  = "RequestTimeout"
	codeCanceled = "RequestCanceled"
	codeRequest  = "RequestError"
)

// failureOf classifies err. timedOut says the call's own deadline passed.
func failureOf(err error, timedOut bool) apiFailure {
	var f apiFailure
	if errors.As(err, &f) {
		return f
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return apiFailure{Code: ae.ErrorCode(), Message: oneLine(ae.ErrorMessage())}
	}
	switch {
	case timedOut || errors.Is(err, errAttemptTimeout) || errors.Is(err, context.DeadlineExceeded):
		return apiFailure{Code: codeTimeout, Message: "no answer before the call timeout"}
	case errors.Is(err, context.Canceled):
		return apiFailure{Code: codeCanceled, Message: "the scan was interrupted"}
	}
	return apiFailure{Code: codeRequest, Message: oneLine(err.Error())}
}

// oneLine keeps a message short and on one line.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const maxLen = 300
	if len(s) > maxLen {
		s = s[:maxLen] + "..."
	}
	return s
}
