// Run before every test file, in its context.
import { taskTextCheck } from '@/lib/tasks/text';

// Every task title and message given as a catalog key must render to the English its call site builds (lib/tasks/text).
taskTextCheck.on = true;
