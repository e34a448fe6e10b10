package notify

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/mqguard/mqguard/internal/source/awsapi/mototest"
)

// TestSNSMoto publishes to a topic in moto and reads the notification back through an SQS queue
// subscribed to it: the subject is the summary, the body the payload as built. A topic that does
// not exist is a final error naming the topic.
func TestSNSMoto(t *testing.T) {
	srv := mototest.Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	const region = "eu-west-1"
	cfg := aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAMOTOTESTKEY00000", "moto-test-secret", ""),
		BaseEndpoint: aws.String(srv.URL),
	}
	snsc, sqsc := sns.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	topic, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("mq-alerts")})
	if err != nil {
		t.Fatal(err)
	}
	queue, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("mq-alerts-inbox")})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := sqsc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: queue.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := snsc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)])}); err != nil {
		t.Fatal(err)
	}

	d, err := ParseDestination("sns:" + aws.ToString(topic.TopicArn))
	if err != nil {
		t.Fatal(err)
	}
	m := message(t)
	s := &Sender{AWS: &cfg, Backoff: func(int) time.Duration { return 0 }}
	if err := s.Send(ctx, d, m); err != nil {
		t.Fatal(err)
	}
	out, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queue.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 1 {
		t.Fatalf("%d messages in the subscribed queue, want 1", len(out.Messages))
	}
	// Without raw delivery, SQS holds SNS's envelope.
	var env struct{ Type, TopicArn, Subject, Message string }
	if err := json.Unmarshal([]byte(aws.ToString(out.Messages[0].Body)), &env); err != nil {
		t.Fatalf("the queued message is not SNS's envelope: %v", err)
	}
	if env.Type != "Notification" || env.TopicArn != d.TopicARN || env.Subject != m.Subject || env.Message != string(m.JSON) {
		t.Errorf("notification %+v\nwant subject %q and the payload\n%s", env, m.Subject, m.JSON)
	}
	if p := decode(t, []byte(env.Message)); p.Text != m.Text {
		t.Errorf("text %q", p.Text)
	}

	missing, err := ParseDestination("sns:arn:aws:sns:" + region + ":123456789012:no-such-topic")
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(ctx, missing, m)
	if err == nil {
		t.Fatal("published to a topic that does not exist")
	}
	if !strings.Contains(err.Error(), "notify "+missing.String()+": failed after 1 attempt(s)") {
		t.Errorf("error %q: want one attempt, naming the topic", err)
	}
}
