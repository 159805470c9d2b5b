/** Whether a process with this PID still exists (signal 0 checks without signalling). */
export function isRunning(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}
