/** Appliances (OVF/OVA): list, inspect, import, export, download. The routes under app/api/v1/appliances call these. */
export { downloadAppliance, listAppliances, type ApplianceFile, type ApplianceFolder } from './list';
export { inspectAppliance, type ApplianceView, type ApplianceSystem } from './inspect';
export { importSchema, planImport, startImport, type ImportInput, type ImportPlan } from './import';
// Import and clone offer the same MAC policies (ImportOptions and CloneOptions KeepNATMACs / KeepAllMACs).
export { MAC_POLICIES, type MacPolicy } from '@/lib/cluster/operations/clone';
export { exportSchema, planExport, startExport, type ExportInput, type ExportPlan } from './export';
export { applianceRoot, defaultApplianceFolder, APPLIANCES_FOLDER } from './paths';
