package model

import (
	"encoding/gob"
	"errors"
	"io"
)

// The inventory codec: a part of a scan (a Terraform root module's model and diagnostics) is
// kept between scans by the cache and read back identical, including which brokers share a
// configuration, key or security group (the engine relies on that sharing to parse a shared
// configuration's directives once).

// codecVersion changes whenever the model's shape changes, so older entries are not misread.
const codecVersion = 8

// wirePart is the encoded form: the inventory with its links between resources replaced by
// indices into the inventory's lists (-1 when the pointer is nil; a target outside the lists
// stays embedded).
type wirePart struct {
	Version int
	Inv     Inventory
	Links   []brokerLinks
	Diags   []Diagnostic
}

type brokerLinks struct {
	Config, Pending, Key int
	Groups               []int
}

// EncodePart writes inv and diags to w.
func EncodePart(w io.Writer, inv *Inventory, diags []Diagnostic) error {
	if inv == nil {
		inv = &Inventory{}
	}
	cfgIndex := indexOf(inv.Configurations)
	keyIndex := indexOf(inv.Keys)
	sgIndex := indexOf(inv.SecurityGroups)
	wp := wirePart{Version: codecVersion, Inv: *inv, Diags: diags}
	wp.Inv.Brokers = make([]*Broker, len(inv.Brokers))
	wp.Links = make([]brokerLinks, len(inv.Brokers))
	for i, b := range inv.Brokers {
		if b == nil {
			return errors.New("inventory holds a nil broker")
		}
		c := *b
		lk := brokerLinks{Config: -1, Pending: -1, Key: -1}
		c.Configuration, lk.Config = unlinkConfig(b.Configuration, cfgIndex)
		c.PendingConfiguration, lk.Pending = unlinkConfig(b.PendingConfiguration, cfgIndex)
		if k, ok := keyIndex[b.Encryption.Key]; ok {
			c.Encryption.Key, lk.Key = nil, k
		}
		if b.SecurityGroups != nil {
			c.SecurityGroups = make([]SecurityGroupRef, len(b.SecurityGroups))
			lk.Groups = make([]int, len(b.SecurityGroups))
			for j, ref := range b.SecurityGroups {
				lk.Groups[j] = -1
				if g, ok := sgIndex[ref.Group]; ok {
					ref.Group, lk.Groups[j] = nil, g
				}
				c.SecurityGroups[j] = ref
			}
		}
		wp.Inv.Brokers[i] = &c
		wp.Links[i] = lk
	}
	return gob.NewEncoder(w).Encode(&wp)
}

// DecodePart reads what EncodePart wrote.
func DecodePart(r io.Reader) (*Inventory, []Diagnostic, error) {
	var wp wirePart
	if err := gob.NewDecoder(r).Decode(&wp); err != nil {
		return nil, nil, err
	}
	if wp.Version != codecVersion {
		return nil, nil, errors.New("inventory encoded by another version")
	}
	inv := &wp.Inv
	if len(wp.Links) != len(inv.Brokers) {
		return nil, nil, errors.New("inventory links do not match its brokers")
	}
	at := func(n, i int) bool { return i >= 0 && i < n }
	for i, b := range inv.Brokers {
		if b == nil {
			return nil, nil, errors.New("inventory holds a nil broker")
		}
		lk := wp.Links[i]
		if at(len(inv.Configurations), lk.Config) && b.Configuration != nil {
			b.Configuration.Config = inv.Configurations[lk.Config]
		}
		if at(len(inv.Configurations), lk.Pending) && b.PendingConfiguration != nil {
			b.PendingConfiguration.Config = inv.Configurations[lk.Pending]
		}
		if at(len(inv.Keys), lk.Key) {
			b.Encryption.Key = inv.Keys[lk.Key]
		}
		for j := range b.SecurityGroups {
			if j < len(lk.Groups) && at(len(inv.SecurityGroups), lk.Groups[j]) {
				b.SecurityGroups[j].Group = inv.SecurityGroups[lk.Groups[j]]
			}
		}
	}
	return inv, wp.Diags, nil
}

func indexOf[T any](list []*T) map[*T]int {
	m := make(map[*T]int, len(list))
	for i, p := range list {
		if _, dup := m[p]; !dup && p != nil {
			m[p] = i
		}
	}
	return m
}

func unlinkConfig(ref *ConfigurationRef, index map[*Configuration]int) (*ConfigurationRef, int) {
	if ref == nil {
		return nil, -1
	}
	c := *ref
	if i, ok := index[ref.Config]; ok {
		c.Config = nil
		return &c, i
	}
	return &c, -1
}
