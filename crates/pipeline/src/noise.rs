//! Noise floors: what noise alone reaches on a machine is no regression there (SPEC §7.4).

use benchgate_gate::CompareOptions;
use benchgate_model::Run;
use benchgate_store::Store;

use crate::PipelineError;

/// `options` with the noise floors learned for `run`'s machine (`benchgate doctor`, `history
/// --save-noise-floor`).
pub fn with_noise_floors(
    store: &dyn Store,
    run: &Run,
    options: &CompareOptions,
) -> Result<CompareOptions, PipelineError> {
    let mut options = options.clone();
    for floor in store
        .noise_floors(&run.environment.fingerprint)
        .map_err(PipelineError::NoiseFloors)?
    {
        options
            .noise_floors
            .insert((floor.benchmark, floor.measure), floor.relative);
    }
    Ok(options)
}
