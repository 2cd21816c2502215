package main

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Gap 7: a real host has a HostAutoStartManager (configManager.autoStartManager), whose config libvirt
// reads and changes for virDomainGetAutostart/SetAutostart; govmomi names one but serves none
// ("The object has already been deleted or has not been completely created").

// autoStartManager keeps the host's autostart defaults and each VM's power-on entry.
type autoStartManager struct {
	mo.HostAutoStartManager
}

// ReconfigureAutostart merges the request into the config as a real host does: the defaults it names,
// and each named VM's entry replaced.
func (m *autoStartManager) ReconfigureAutostart(req *types.ReconfigureAutostart) soap.HasFault {
	if req.Spec.Defaults != nil {
		m.Config.Defaults = req.Spec.Defaults
	}
	for _, info := range req.Spec.PowerInfo {
		kept := m.Config.PowerInfo[:0]
		for _, old := range m.Config.PowerInfo {
			if old.Key != info.Key {
				kept = append(kept, old)
			}
		}
		m.Config.PowerInfo = append(kept, info)
	}
	return &methods.ReconfigureAutostartBody{Res: new(types.ReconfigureAutostartResponse)}
}

// addAutoStartManagers serves the autostart manager every host of the model names.
func addAutoStartManagers() {
	for _, entity := range simulator.Map.All("HostSystem") {
		host := entity.(*simulator.HostSystem)
		ref := host.ConfigManager.AutoStartManager
		if ref == nil || simulator.Map.Get(*ref) != nil {
			continue
		}
		manager := &autoStartManager{}
		manager.Self = *ref
		manager.Config = *esx.HostConfigInfo.AutoStart
		simulator.Map.Put(manager)
	}
}
