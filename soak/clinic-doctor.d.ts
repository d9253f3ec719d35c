// The part of @clinic/doctor's API the soak uses (the package ships no types).
declare module '@clinic/doctor' {
  interface ClinicDoctorOptions {
    /** Where the collected samples go (a `<pid>.clinic-doctor` folder inside). */
    readonly dest?: string;
    /** Milliseconds between samples. */
    readonly sampleInterval?: number;
  }

  export default class ClinicDoctor {
    constructor(options?: ClinicDoctorOptions);
    /** Runs `command` with Clinic's sampler injected; calls back with the data folder once it exited. */
    collect(command: readonly string[], callback: (error: Error | null, dataDir: string) => void): void;
    /** Renders the data folder into a self-contained HTML report. */
    visualize(dataDir: string, outputHtml: string, callback: (error: Error | null) => void): void;
  }
}
