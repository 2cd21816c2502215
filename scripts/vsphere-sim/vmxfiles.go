package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/types"
)

// Gap 2: a real host keeps each VM's configuration in a .vmx file on its datastore, which libvirt
// downloads for XMLDesc; govmomi creates the model's VMs with an empty .vmx, which libvirt cannot parse.
// Gap 3: a real host reports where it mounts each datastore (DatastoreHostMount.mountInfo.path);
// govmomi leaves it out, and libvirt 9.0 dereferences it when it writes a disk path into a .vmx.
// Gap 4: a real host registers a VM (RegisterVM_Task) from its .vmx alone, taking its memory, vCPUs,
// guest OS and BIOS UUID from it and creating the .nvram and vmware.log itself; govmomi requires both
// files to exist and ignores the .vmx's contents.
// Gap 6: a real host rewrites a VM's .vmx when it reconfigures it (ReconfigVM_Task: memory, vCPUs,
// memory limit), and libvirt reads the domain XML from that file; govmomi changes only its inventory.
// Gap 5 (vCenter): a datastore shared by the hosts of a cluster lists each host's mount; govmomi lists one.

// datastoreFile is the local file behind a datastore path "[name] dir/file".
func datastoreFile(dsPath string) (string, error) {
	var parsed object.DatastorePath
	if !parsed.FromString(dsPath) {
		return "", fmt.Errorf("not a datastore path: %q", dsPath)
	}
	for _, entity := range simulator.Map.All("Datastore") {
		ds := entity.(*simulator.Datastore)
		if ds.Name == parsed.Datastore {
			return path.Join(ds.Info.GetDatastoreInfo().Url, parsed.Path), nil
		}
	}
	return "", fmt.Errorf("no datastore %q", parsed.Datastore)
}

// fixDatastoreMounts lists every host that mounts a datastore, with its mount path (gaps 3 and 5).
func fixDatastoreMounts() {
	for _, entity := range simulator.Map.All("Datastore") {
		ds := entity.(*simulator.Datastore)
		mounted := map[types.ManagedObjectReference]bool{}
		for _, mount := range ds.Host {
			mounted[mount.Key] = true
		}
		for _, hostEntity := range simulator.Map.All("HostSystem") {
			host := hostEntity.(*simulator.HostSystem)
			for _, ref := range host.Datastore {
				if ref == ds.Self && !mounted[host.Self] {
					mount := types.DatastoreHostMount{Key: host.Self}
					mount.MountInfo.AccessMode = string(types.HostMountModeReadWrite)
					mount.MountInfo.Mounted = types.NewBool(true)
					mount.MountInfo.Accessible = types.NewBool(true)
					ds.Host = append(ds.Host, mount)
					mounted[host.Self] = true
				}
			}
		}
		for i := range ds.Host {
			if ds.Host[i].MountInfo.Path == "" {
				ds.Host[i].MountInfo.Path = ds.Info.GetDatastoreInfo().Url
			}
		}
	}
}

// vmxGuestOS is the .vmx spelling of a vSphere guest id ("otherGuest64" -> "other-64").
func vmxGuestOS(guestID string) string {
	if strings.HasSuffix(guestID, "Guest64") {
		return strings.TrimSuffix(guestID, "Guest64") + "-64"
	}
	return strings.TrimSuffix(guestID, "Guest")
}

// vmxBiosUUID writes a UUID as a .vmx does: "56 4d 12 ... 9a-bc de ...".
func vmxBiosUUID(text string) string {
	id, err := uuid.Parse(text)
	if err != nil {
		return ""
	}
	var parts []string
	for i, b := range id {
		sep := " "
		if i == 8 {
			sep = "-"
		}
		if i > 0 {
			parts = append(parts, sep)
		}
		parts = append(parts, fmt.Sprintf("%02x", b))
	}
	return strings.Join(parts, "")
}

// vmxOf is the .vmx a real host would keep for the VM (the keys libvirt reads).
func vmxOf(vm *simulator.VirtualMachine) string {
	hw := vm.Config.Hardware
	keys := map[string]string{
		".encoding":         "UTF-8",
		"config.version":    "8",
		"virtualHW.version": strings.TrimPrefix(vm.Config.Version, "vmx-"),
		"displayName":       vm.Name,
		"memsize":           strconv.Itoa(int(hw.MemoryMB)),
		"numvcpus":          strconv.Itoa(int(hw.NumCPU)),
		"guestOS":           vmxGuestOS(vm.Config.GuestId),
		"uuid.bios":         vmxBiosUUID(vm.Config.Uuid),
	}
	if vm.Config.Annotation != "" {
		keys["annotation"] = vm.Config.Annotation
	}
	names := make([]string, 0, len(keys))
	for key := range keys {
		names = append(names, key)
	}
	sort.Strings(names)
	var out strings.Builder
	for _, key := range names {
		fmt.Fprintf(&out, "%s = %q\n", key, keys[key])
	}
	return out.String()
}

// writeVMXFiles gives every VM of the model whose .vmx is empty the one a real host keeps (gap 2).
func writeVMXFiles() error {
	fixDatastoreMounts()
	addAutoStartManagers()
	for _, entity := range simulator.Map.All("VirtualMachine") {
		vm := entity.(*simulator.VirtualMachine)
		file, err := datastoreFile(vm.Config.Files.VmPathName)
		if err != nil {
			return err
		}
		if info, err := os.Stat(file); err == nil && info.Size() > 0 {
			continue
		}
		if err = os.WriteFile(file, []byte(vmxOf(vm)), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// readVMX is the key = "value" pairs of a .vmx file (keys lower-cased, as VMware treats them).
func readVMX(file string) (map[string]string, error) {
	handle, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer handle.Close()
	keys := map[string]string{}
	scanner := bufio.NewScanner(handle)
	for scanner.Scan() {
		key, value, found := strings.Cut(scanner.Text(), "=")
		if !found {
			continue
		}
		keys[strings.ToLower(strings.TrimSpace(key))] = strings.Trim(strings.TrimSpace(value), `"`)
	}
	return keys, scanner.Err()
}

// prepareRegister creates what a real host creates itself when it registers a VM (gap 4).
func prepareRegister(vmxPath, name string) {
	file, err := datastoreFile(vmxPath)
	if err != nil {
		return // the simulator answers the request with its own fault
	}
	if name == "" {
		name = strings.TrimSuffix(path.Base(file), ".vmx")
	}
	for _, extra := range []string{name + ".nvram", "vmware.log"} {
		extra = path.Join(path.Dir(file), extra)
		if _, err := os.Stat(extra); os.IsNotExist(err) {
			_ = os.WriteFile(extra, nil, 0o600)
		}
	}
}

// specFromVMX is the configuration a real host loads from a registered VM's .vmx (gap 4).
func specFromVMX(keys map[string]string) types.VirtualMachineConfigSpec {
	var spec types.VirtualMachineConfigSpec
	if memory, err := strconv.Atoi(keys["memsize"]); err == nil {
		spec.MemoryMB = int64(memory)
	}
	if vcpus, err := strconv.Atoi(keys["numvcpus"]); err == nil {
		spec.NumCPUs = int32(vcpus)
	}
	if guest := keys["guestos"]; guest != "" {
		if strings.HasSuffix(guest, "-64") {
			base := strings.TrimSuffix(guest, "-64")
			spec.GuestId = base + "Guest64"
		} else {
			spec.GuestId = guest + "Guest"
		}
	}
	bios := strings.NewReplacer(" ", "", "-", "").Replace(keys["uuid.bios"])
	if id, err := uuid.Parse(bios); err == nil {
		spec.Uuid = id.String()
	}
	spec.Annotation = keys["annotation"]
	return spec
}

// finishRegister applies the registered VM's .vmx to it, as a real host does when it loads one.
func finishRegister(client *vim25.Client, vmxPath string) error {
	file, err := datastoreFile(vmxPath)
	if err != nil {
		return err
	}
	keys, err := readVMX(file)
	if err != nil {
		return err
	}
	for _, entity := range simulator.Map.All("VirtualMachine") {
		vm := entity.(*simulator.VirtualMachine)
		if vm.Config.Files.VmPathName != vmxPath {
			continue
		}
		ctx := context.Background()
		task, err := object.NewVirtualMachine(client, vm.Reference()).Reconfigure(ctx, specFromVMX(keys))
		if err != nil {
			return err
		}
		return task.Wait(ctx)
	}
	return fmt.Errorf("no VM registered from %s", vmxPath)
}

// syncVMX writes a reconfigured VM's memory and vCPUs back into its .vmx, as a real host does (gap 6).
func syncVMX(vmRef string) error {
	for _, entity := range simulator.Map.All("VirtualMachine") {
		vm := entity.(*simulator.VirtualMachine)
		if vm.Self.Value != vmRef {
			continue
		}
		file, err := datastoreFile(vm.Config.Files.VmPathName)
		if err != nil {
			return err
		}
		content, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		set := map[string]string{
			"memsize":  strconv.Itoa(int(vm.Config.Hardware.MemoryMB)),
			"numvcpus": strconv.Itoa(int(vm.Config.Hardware.NumCPU)),
		}
		if limit := vm.Config.MemoryAllocation.Limit; limit != nil && *limit >= 0 {
			set["sched.mem.max"] = strconv.FormatInt(*limit, 10)
		}
		var out strings.Builder
		for _, line := range strings.Split(strings.TrimRight(string(content), "\n"), "\n") {
			key, _, found := strings.Cut(line, "=")
			name := strings.ToLower(strings.TrimSpace(key))
			if value, ours := set[name]; found && ours {
				line = fmt.Sprintf("%s = %q", name, value)
				delete(set, name)
			}
			out.WriteString(line + "\n")
		}
		for _, name := range []string{"memsize", "numvcpus", "sched.mem.max"} {
			if value, left := set[name]; left {
				fmt.Fprintf(&out, "%s = %q\n", name, value)
			}
		}
		return os.WriteFile(file, []byte(out.String()), 0o600)
	}
	return fmt.Errorf("no VM %s", vmRef)
}
