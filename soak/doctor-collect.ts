// `node soak/doctor-collect.ts DATA_DIR REPORT.html -- node SCRIPT ARGS…`: runs the command under Clinic Doctor
// (@clinic/doctor's API), then writes its HTML report. The soak starts this in place of the pipeline process; the
// command's stdout stays this process's stdout, and SIGTERM is passed on as SIGINT, which Clinic forwards.
import ClinicDoctor from '@clinic/doctor';

const [dest, html, separator, ...command] = process.argv.slice(2);
if (!dest || !html || separator !== '--' || command.length === 0) {
  process.stderr.write('usage: doctor-collect.ts DATA_DIR REPORT.html -- COMMAND…\n');
  process.exit(2);
}

const doctor = new ClinicDoctor({ dest, sampleInterval: 10 });
process.once('SIGTERM', () => process.kill(process.pid, 'SIGINT'));
doctor.collect(command, (error: Error | null, dataDir: string) => {
  if (error) {
    process.stderr.write(`clinic doctor: ${error.message}\n`);
    process.exit(1);
  }
  doctor.visualize(dataDir, html, (visualizeError: Error | null) => {
    if (visualizeError) process.stderr.write(`clinic doctor report: ${visualizeError.message}\n`);
    process.exit(visualizeError ? 1 : 0);
  });
});
