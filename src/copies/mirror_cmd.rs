//! `shiftdeck mirror FILE TARGET [--authfile F] [--parallel N] [--tls-verify=false]`: plain
//! progress lines for scripts. Exit code 0 when every image was copied, 1 when any failed, 2 when
//! the input is wrong (nothing started).

use super::mirror_args::MirrorArgs;

use super::mirror::{MirrorJob, MirrorStatus, MirrorTarget, run as run_job};

/// Run the command; returns the process exit code.
pub async fn run(args: &MirrorArgs) -> i32 {
    let target: MirrorTarget = match args.target.parse() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("shiftdeck mirror: {e}");
            return 2;
        }
    };
    let job = match MirrorJob::from_file(&args.file, target, args.options()) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("shiftdeck mirror: {}: {e}", args.file.display());
            return 2;
        }
    };
    let mut status = MirrorStatus::new(&job);
    println!(
        "mirroring {} images to {}, {} at a time",
        job.plan().len(),
        job.target(),
        args.parallel
    );
    run_job(&job, &mut status, (0..job.plan().len()).collect(), |l| {
        println!("{l}");
    })
    .await;
    println!("{}", status.summary());
    if status.counts().failed > 0 { 1 } else { 0 }
}
