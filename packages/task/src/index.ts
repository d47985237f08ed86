export { AbortError, InvalidStateError, TaskGroupError, UnretrievedTaskError } from './errors.js';
export { shield, type ShieldOptions } from './shield.js';
export { createTask, Task, type TaskFunction, type TaskOptions } from './task.js';
export { type SpawnOptions, TaskGroup, type TaskGroupOptions, taskGroup } from './task-group.js';
