/** Appliances (OVF/OVA): list, inspect, import, export, download. The routes under app/api/v1/appliances call these. */
export { downloadAppliance, listAppliances, type ApplianceFile, type ApplianceFolder } from './list';
export { inspectAppliance, type ApplianceView, type ApplianceSystem } from './inspect';
export { importSchema, planImport, startImport, MAC_POLICIES, type ImportInput, type ImportPlan, type MacPolicy } from './import';
export { exportSchema, planExport, startExport, type ExportInput, type ExportPlan } from './export';
export { applianceRoot, defaultApplianceFolder, APPLIANCES_FOLDER } from './paths';
