//go:build unix

package mototest

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the process in a group of its own, so that killProcessGroup also ends
// any child it starts.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killProcessGroup kills the process group started by cmd.
func killProcessGroup(cmd *exec.Cmd) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
