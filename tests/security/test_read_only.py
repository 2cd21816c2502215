"""A read-only connection refuses every write libvirt's entry points refuse (the table extracted from
libvirt's source, data/api/read-only-VERSION.yaml, not a sample), with VIR_ERR_OPERATION_DENIED and
no change to any object; it still reads what a read-write connection reads."""

import json
import os

from avocado_cert.apisurface import libvirt_api as apisurface
from avocado_cert.apisurface import pybindings
from avocado_cert.testing import CertTest
from avocado_cert.testing.readonly import sweep
from avocado_cert.testing.readonly.fixtures import Fixtures, NotDriven


class ReadOnlySweep(CertTest):
    """
    :avocado: disable
    """

    def setUp(self):
        super().setUp()
        self.ro = self.open_connection(readonly=True)
        self.objects.on_cleanup("read-only connection", self.ro.close)

    def sweep(self, *modules):
        """Drive every refused function of these modules; fail on any that was not denied."""
        table = sweep.load_table(self.conn)
        surface = apisurface.load()
        functions = sweep.refused_functions(table, surface, pybindings.load(surface), modules)
        self.assertTrue(
            functions, f"the table of libvirt {table.libvirt} names no refused function in {modules}"
        )
        fixtures = Fixtures(self, self.ro)
        outcomes = [sweep.drive(self, fixtures, api, python, args) for api, python, args in functions]
        self._keep_outcomes(table, outcomes)
        failed = [o for o in outcomes if o.result == "failed"]
        denied = [o for o in outcomes if o.result == "denied"]
        if failed:
            self.fail(
                f"{len(failed)} of {len(functions)} writes were not refused with VIR_ERR_OPERATION_DENIED: "
                + "; ".join(f"{o.api}: {o.detail}" for o in failed)
            )
        self.require(denied, "no refused function of " + ", ".join(modules) + " could be driven here")
        return outcomes

    def _keep_outcomes(self, table, outcomes):
        counts = {}
        for outcome in outcomes:
            counts[outcome.result] = counts.get(outcome.result, 0) + 1
            log = self.log.info
            log("%-45s %-10s %s", outcome.api, outcome.result, outcome.detail[:160])
        self.log.info("read-only sweep over libvirt %s's table: %s", table.libvirt, counts)
        with open(os.path.join(self.outputdir, "read-only-sweep.json"), "w", encoding="utf-8") as out:
            json.dump({"table": table.path, "outcomes": [o.to_dict() for o in outcomes]}, out, indent=1)


class ReadOnlyWrites(ReadOnlySweep):
    """
    :avocado: tags=area:security,cap:security.read_only
    """

    def test_domain(self):
        """
        Every domain write the read-only table names is refused and leaves the domain as it was.

        :avocado: tags=api:virConnectDomainXMLFromNative,api:virConnectDomainXMLToNative
        :avocado: tags=api:virConnectGetDomainCapabilities,api:virDomainAbortJob
        :avocado: tags=api:virDomainAbortJobFlags,api:virDomainAddIOThread
        :avocado: tags=api:virDomainAgentSetResponseTimeout,api:virDomainAttachDevice
        :avocado: tags=api:virDomainAttachDeviceFlags,api:virDomainAuthorizedSSHKeysGet
        :avocado: tags=api:virDomainAuthorizedSSHKeysSet,api:virDomainBackupBegin
        :avocado: tags=api:virDomainBlockCommit,api:virDomainBlockCopy,api:virDomainBlockJobAbort
        :avocado: tags=api:virDomainBlockJobSetSpeed,api:virDomainBlockPeek,api:virDomainBlockPull
        :avocado: tags=api:virDomainBlockRebase,api:virDomainBlockResize,api:virDomainCoreDump
        :avocado: tags=api:virDomainCoreDumpWithFormat,api:virDomainCreate
        :avocado: tags=api:virDomainCreateWithFiles,api:virDomainCreateWithFlags
        :avocado: tags=api:virDomainCreateXML,api:virDomainCreateXMLWithFiles,api:virDomainDefineXML
        :avocado: tags=api:virDomainDefineXMLFlags,api:virDomainDelIOThread,api:virDomainDestroy
        :avocado: tags=api:virDomainDestroyFlags,api:virDomainDetachDevice
        :avocado: tags=api:virDomainDetachDeviceAlias,api:virDomainDetachDeviceFlags
        :avocado: tags=api:virDomainFDAssociate,api:virDomainFSFreeze,api:virDomainFSThaw
        :avocado: tags=api:virDomainFSTrim,api:virDomainGetFSInfo,api:virDomainGetGuestInfo
        :avocado: tags=api:virDomainGetGuestVcpus,api:virDomainGetHostname
        :avocado: tags=api:virDomainGetLaunchSecurityInfo,api:virDomainGetTime,api:virDomainInjectNMI
        :avocado: tags=api:virDomainManagedSave,api:virDomainManagedSaveDefineXML
        :avocado: tags=api:virDomainManagedSaveRemove,api:virDomainMemoryPeek
        :avocado: tags=api:virDomainMigrateGetMaxSpeed
        :avocado: tags=api:virDomainMigrateSetCompressionCache,api:virDomainMigrateSetMaxDowntime
        :avocado: tags=api:virDomainMigrateSetMaxSpeed
        :avocado: tags=api:virDomainOpenChannel,api:virDomainOpenConsole
        :avocado: tags=api:virDomainOpenGraphics,api:virDomainOpenGraphicsFD
        :avocado: tags=api:virDomainPMSuspendForDuration,api:virDomainPMWakeup
        :avocado: tags=api:virDomainPinEmulator,api:virDomainPinIOThread,api:virDomainPinVcpu
        :avocado: tags=api:virDomainPinVcpuFlags,api:virDomainReboot,api:virDomainRename
        :avocado: tags=api:virDomainReset,api:virDomainRestore,api:virDomainRestoreFlags
        :avocado: tags=api:virDomainRestoreParams,api:virDomainResume,api:virDomainSave
        :avocado: tags=api:virDomainSaveFlags,api:virDomainSaveImageDefineXML
        :avocado: tags=api:virDomainSaveImageGetXMLDesc,api:virDomainSaveParams
        :avocado: tags=api:virDomainScreenshot,api:virDomainSendKey,api:virDomainSendProcessSignal
        :avocado: tags=api:virDomainSetAutostart,api:virDomainSetBlkioParameters
        :avocado: tags=api:virDomainSetBlockIoTune,api:virDomainSetBlockThreshold
        :avocado: tags=api:virDomainSetGuestVcpus,api:virDomainSetIOThreadParams
        :avocado: tags=api:virDomainSetInterfaceParameters,api:virDomainSetLaunchSecurityState
        :avocado: tags=api:virDomainSetLifecycleAction,api:virDomainSetMaxMemory
        :avocado: tags=api:virDomainSetMemory,api:virDomainSetMemoryFlags
        :avocado: tags=api:virDomainSetMemoryParameters,api:virDomainSetMemoryStatsPeriod
        :avocado: tags=api:virDomainSetMetadata,api:virDomainSetNumaParameters
        :avocado: tags=api:virDomainSetPerfEvents,api:virDomainSetSchedulerParameters
        :avocado: tags=api:virDomainSetSchedulerParametersFlags,api:virDomainSetTime
        :avocado: tags=api:virDomainSetUserPassword,api:virDomainSetVcpu,api:virDomainSetVcpus
        :avocado: tags=api:virDomainSetVcpusFlags,api:virDomainShutdown,api:virDomainShutdownFlags
        :avocado: tags=api:virDomainStartDirtyRateCalc,api:virDomainSuspend,api:virDomainUndefine
        :avocado: tags=api:virDomainUndefineFlags,api:virDomainUpdateDeviceFlags
        :avocado: tags=api:virDomainMigrate,api:virDomainMigrate2,api:virDomainMigrate3
        :avocado: tags=api:virDomainMigrateStartPostCopy,api:virDomainMigrateToURI
        :avocado: tags=api:virDomainMigrateToURI2,api:virDomainMigrateToURI3
        """
        self.sweep("libvirt-domain")

    def test_snapshot_checkpoint(self):
        """
        Snapshot and checkpoint writes are refused.

        :avocado: tags=api:virDomainCheckpointCreateXML,api:virDomainCheckpointDelete
        :avocado: tags=api:virDomainRevertToSnapshot,api:virDomainSnapshotCreateXML
        :avocado: tags=api:virDomainSnapshotDelete
        """
        self.sweep("libvirt-domain-snapshot", "libvirt-domain-checkpoint")

    def test_network(self):
        """
        Network and port writes are refused.

        :avocado: tags=api:virNetworkCreate,api:virNetworkCreateXML,api:virNetworkCreateXMLFlags
        :avocado: tags=api:virNetworkDefineXML,api:virNetworkDefineXMLFlags,api:virNetworkDestroy
        :avocado: tags=api:virNetworkPortCreateXML,api:virNetworkPortDelete
        :avocado: tags=api:virNetworkPortSetParameters,api:virNetworkSetAutostart
        :avocado: tags=api:virNetworkUndefine,api:virNetworkUpdate
        """
        self.sweep("libvirt-network")

    def test_storage(self):
        """
        Pool and volume writes are refused.

        :avocado: tags=api:virConnectFindStoragePoolSources,api:virStoragePoolBuild
        :avocado: tags=api:virStoragePoolCreate,api:virStoragePoolCreateXML
        :avocado: tags=api:virStoragePoolDefineXML,api:virStoragePoolDelete,api:virStoragePoolDestroy
        :avocado: tags=api:virStoragePoolRefresh,api:virStoragePoolSetAutostart
        :avocado: tags=api:virStoragePoolUndefine,api:virStorageVolCreateXML
        :avocado: tags=api:virStorageVolCreateXMLFrom,api:virStorageVolDelete
        :avocado: tags=api:virStorageVolDownload,api:virStorageVolResize,api:virStorageVolUpload
        :avocado: tags=api:virStorageVolWipe,api:virStorageVolWipePattern
        """
        self.sweep("libvirt-storage")

    def test_host(self):
        """
        Host, interface and node device writes are refused.

        :avocado: tags=api:virConnectBaselineHypervisorCPU,api:virConnectCompareHypervisorCPU
        :avocado: tags=api:virInterfaceChangeBegin,api:virInterfaceChangeCommit
        :avocado: tags=api:virInterfaceChangeRollback,api:virInterfaceCreate
        :avocado: tags=api:virInterfaceDefineXML,api:virInterfaceDestroy,api:virInterfaceUndefine
        :avocado: tags=api:virNodeAllocPages,api:virNodeDeviceCreate,api:virNodeDeviceCreateXML
        :avocado: tags=api:virNodeDeviceDefineXML,api:virNodeDeviceDestroy
        :avocado: tags=api:virNodeDeviceDetachFlags,api:virNodeDeviceDettach
        :avocado: tags=api:virNodeDeviceGetAutostart,api:virNodeDeviceReAttach,api:virNodeDeviceReset
        :avocado: tags=api:virNodeDeviceSetAutostart,api:virNodeDeviceUndefine,api:virNodeGetSEVInfo
        :avocado: tags=api:virNodeSetMemoryParameters
        """
        self.sweep("libvirt-host", "libvirt-interface", "libvirt-nodedev")

    def test_secret_nwfilter(self):
        """
        Secret and network filter writes are refused.

        :avocado: tags=api:virNWFilterBindingCreateXML,api:virNWFilterBindingDelete
        :avocado: tags=api:virNWFilterDefineXML,api:virNWFilterDefineXMLFlags,api:virNWFilterUndefine
        :avocado: tags=api:virSecretDefineXML,api:virSecretGetValue,api:virSecretSetValue
        :avocado: tags=api:virSecretUndefine
        """
        self.sweep("libvirt-secret", "libvirt-nwfilter")

    def test_companion(self):
        """
        The QEMU and LXC companion APIs' writes are refused.

        :avocado: tags=api:virConnectDomainQemuMonitorEventDeregister
        :avocado: tags=api:virConnectDomainQemuMonitorEventRegister,api:virDomainLxcEnterCGroup
        :avocado: tags=api:virDomainLxcOpenNamespace,api:virDomainQemuAgentCommand
        :avocado: tags=api:virDomainQemuAttach,api:virDomainQemuMonitorCommand
        :avocado: tags=api:virDomainQemuMonitorCommandWithFiles
        """
        self.sweep("libvirt-qemu", "libvirt-lxc")


class ReadOnlyConditional(ReadOnlySweep):
    """
    :avocado: tags=area:security,cap:security.read_only
    """

    def test_secure_flags(self):
        """
        Functions refused only for some arguments (the table's refused_if: secure or migratable XML, the
        guest agent as a source) are refused with those arguments and answer without them.

        :avocado: tags=api:virDomainGetXMLDesc,api:virDomainGetVcpusFlags,api:virDomainInterfaceAddresses
        :avocado: tags=api:virDomainManagedSaveGetXMLDesc,api:virDomainSnapshotGetXMLDesc
        :avocado: tags=api:virDomainCheckpointGetXMLDesc
        """
        table = sweep.load_table(self.conn)
        fixtures = Fixtures(self, self.ro)
        cases = sweep.conditional_cases(fixtures)
        self.assertEqual(
            set(cases), set(table.refused_if), "every conditionally refused function of the table has a case"
        )
        outcomes = [sweep.drive_conditional(self, fixtures, api, case) for api, case in sorted(cases.items())]
        self._keep_outcomes(table, outcomes)
        failed = [o for o in outcomes if o.result == "failed"]
        if failed:
            self.fail("; ".join(f"{o.api}: {o.detail}" for o in failed))
        self.require(
            any(o.result == "denied" for o in outcomes), "no conditional refusal could be driven here"
        )


class ReadOnlyReads(ReadOnlySweep):
    """
    :avocado: tags=area:security,cap:security.read_only_reads
    """

    def test_getters_agree(self):
        """
        A sample of getters the table lists as allowed answers on the read-only connection exactly as on
        the read-write one, for the host and for objects the read-write connection made.

        :avocado: tags=api:virConnectOpenReadOnly,api:virConnectGetCapabilities,api:virNodeGetInfo
        :avocado: tags=api:virConnectGetLibVersion,api:virConnectGetType,api:virConnectGetHostname
        :avocado: tags=api:virDomainLookupByName,api:virDomainGetInfo,api:virDomainGetState
        :avocado: tags=api:virDomainGetXMLDesc,api:virDomainGetUUIDString,api:virDomainIsPersistent
        :avocado: tags=api:virDomainGetAutostart,api:virDomainGetMaxMemory,api:virNetworkLookupByName
        :avocado: tags=api:virNetworkGetXMLDesc,api:virStoragePoolGetInfo,api:virStoragePoolListAllVolumes
        :avocado: tags=api:virStorageVolGetInfo,api:virStorageVolGetXMLDesc,api:virConnectListAllDomains
        """
        table = sweep.load_table(self.conn)
        fixtures = Fixtures(self, self.ro)
        checked = []
        for api, read in sweep.READ_SAMPLE:
            self.assertNotIn(api, table.refused, f"{api} is a read the table says is refused")
            try:
                rw_answer = read(fixtures, self.conn)
                ro_answer = read(fixtures, self.ro)
            except NotDriven as why:
                self.log.info("%s not read here: %s", api, why)
                continue
            self.assertEqual(ro_answer, rw_answer, f"{api}: the read-only connection reads another answer")
            checked.append(api)
        self.log.info("read-only reads agree: %s", ", ".join(checked))
        self.assertGreaterEqual(len(checked), len(sweep.READ_SAMPLE) - 2, "too few reads could be compared")
