r"""Wrong versions of tfwgan's training and evaluation math, one at a time: each must turn a
test red.

  python tools/mutants.py                     # every variant; a table at the end
  python tools/mutants.py --only rwp_sign,gp_at_real
  python tools/mutants.py --list
  python tools/mutants.py --only per_replica_mean --tests_from df8c254   # an older suite

Each variant names the plausible bug, the text of the library it replaces (which must occur
exactly as many times as the variant says, so code that moved makes the script fail instead
of testing nothing) and the tests that should catch it. The script copies tfwgan/ and tests/
to a temporary directory, first runs every selected test on the unchanged copy (they must
pass), then for each variant applies the change, runs its tests with pytest -x and reports
`caught` (a test failed) or `SURVIVED`. A variant whose run errors (an import or collection
error: an exit code other than 0 or 1 with no failed test) is reported as `ERROR`, not as
caught.
Exit status 1 if any variant survived, errored or no longer applies. Not part of CI: a full
run's first pass alone (every selected test on the unchanged code) took over 30 minutes on
2 cores on 2026-12-02. Under pytest-xdist a -x run stopped at a failure exits with 2; a
FAILED line or a failed count (and no collection error) makes it `caught`.
"""

import argparse
import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

GAN_ANALYTIC = "tests/gan_test.py::RWPPhaseAnalyticTest"
MATRIX = "tests/gan_test.py::ProximalOverNetworksTest"
MIRRORED = "tests/distribution_test.py::MirroredTest"
KILL = "tests/launchers_test.py::KillAndResumeTest"
WIRING = "tests/training_test.py::EveryFieldReachesTheRunTest"
DAILY = "tests/launchers_test.py::DailyRunTest"
NEIGHBOURS = "tests/evaluation_neighbours_test.py"
SWD = "tests/evaluation_swd_test.py"
SCORING = "tests/evaluation_scoring_test.py"
METRICS = "tests/evaluation_metrics_test.py"
SAMPLING = "tests/sampling_test.py"
PENALTIES = "tests/penalties_test.py"
MULTI_WORKER_LAUNCHER = "tests/launchers_test.py::MultiWorkerLauncherTest"
FIRST_HOUR = "tests/launchers_test.py::FirstHourTest"
LABELLED = "tests/gan_labels_augment_test.py::LabelledStepTest"
WRITTEN_OUT = "tests/gan_labels_augment_test.py::OneOuterIterationTest"
CONDITIONAL_MATRIX = "tests/gan_test.py::ProximalOverNetworksTest"


@dataclasses.dataclass(frozen=True)
class Variant:
  name: str
  bug: str
  path: str
  original: str
  wrong: str
  tests: tuple
  occurrences: int = 1
  select: str = ""  # a pytest -k expression, "" for all of `tests`


VARIANTS = [
    # RWP (eq. 4): 1/(2h)·‖g_θ(z) − g_θk−1(z)‖², summed over the sample, added.
    Variant("rwp_sign", "RWP term subtracted instead of added", "tfwgan/proximal.py",
            "distance) * (0.5 / h)", "distance) * (-0.5 / h)", (GAN_ANALYTIC,)),
    Variant("rwp_inverse_h", "RWP coefficient 1/h instead of 1/(2h)", "tfwgan/proximal.py",
            "distance) * (0.5 / h)", "distance) * (1.0 / h)", (GAN_ANALYTIC,)),
    Variant("rwp_mean", "RWP distance averaged over the sample's dimensions, not summed",
            "tfwgan/proximal.py",
            "_squared_distance(generated, anchor_generated, distance)",
            "_squared_distance(generated, anchor_generated, \"mean\")", (GAN_ANALYTIC,)),
    Variant("rwp_per_phase_ignored", "RWP latents='per_phase' draws fresh z anyway",
            "tfwgan/gan.py",
            "inputs = self._generator_inputs(batch_size) if self._latents_per_phase else None",
            "inputs = None",
            ("tests/gan_test.py::RWPLatentsTest", GAN_ANALYTIC)),
    # The anchor g_θk−1.
    Variant("anchor_not_refreshed", "anchor θk−1 never refreshed (stays the initial θ)",
            "tfwgan/gan.py", "      self.generator_anchor.refresh()\n", "      pass\n",
            (GAN_ANALYTIC,)),
    Variant("anchor_refreshed_every_step", "anchor refreshed before every generator step",
            "tfwgan/gan.py",
            "      anchor_generated = self.generator_anchor(inputs, training=True)\n"
            "    with tf.GradientTape() as tape:",
            "      self.generator_anchor.refresh()\n"
            "      anchor_generated = self.generator_anchor(inputs, training=True)\n"
            "    with tf.GradientTape() as tape:", (GAN_ANALYTIC,)),
    Variant("anchor_inference_mode", "anchor run in inference mode (batch norm's moving "
            "statistics: the bug of issue #19)", "tfwgan/proximal.py",
            "self.generator.non_trainable_variables, z, training=training)",
            "self.generator.non_trainable_variables, z, training=False)",
            (MATRIX,), select="dcgan28_rwp_1 or dcgan28_sbe_1"),
    Variant("anchor_aliases_generator", "anchor variables alias the live weights (a copy "
            "made from `variable.value`)", "tfwgan/copies.py",
            "keras.Variable(tf.identity(variable),", "keras.Variable(variable.value,",
            (GAN_ANALYTIC,)),
    Variant("anchor_own_seed_state", "anchor drawn with a dropout mask of its own",
            "tfwgan/proximal.py",
            "self.generator.non_trainable_variables, z, training=training)",
            "[v + 1 if 'seed' in v.path else v for v in "
            "self.generator.non_trainable_variables], z, training=training)",
            ("tests/proximal_test.py::GeneratorAnchorTest",)),
    # SBE (Alg. 2).
    Variant("sbe_gradient_through_anchor", "gradient flows through SBE's Φ(g_θk−1(z)) (its "
            "θk−1 part evaluated on a θ-dependent sample)", "tfwgan/gan.py",
            "self.potential, generated, self.proximal.h, baseline=sbe_baseline,",
            "self.potential, generated, self.proximal.h, baseline=tf.reshape("
            "self.potential(generated, training=False), [-1]),",
            ("tests/gan_test.py::SBETest",)),
    Variant("sbe_potential_descends", "SBE potential descends its objective",
            "tfwgan/gan.py", "      loss = -global_batch_mean(objective)",
            "      loss = global_batch_mean(objective)", ("tests/gan_test.py::SBETest",)),
    Variant("sbe_half_inverse_h", "SBE generator term (1/(2h)) instead of (1/h)",
            "tfwgan/proximal.py", "- baseline) / h", "- baseline) / (2 * h)",
            ("tests/gan_test.py::SBETest",)),
    # Critic regularisers.
    Variant("gp_epsilon_per_entry", "GP interpolation ε drawn per entry, not per sample",
            "tfwgan/penalties.py",
            "epsilon = _rng(rng).uniform(_per_sample_shape(real), dtype=real.dtype)",
            "epsilon = _rng(rng).uniform(tf.shape(real), dtype=real.dtype)",
            ("tests/penalties_test.py",)),
    Variant("gp_at_real", "gradient penalty taken at the real points", "tfwgan/penalties.py",
            "return penalty_at(critic, interpolates(real, fake, rng=rng), norm=norm, "
            "reduction=reduction)",
            "return penalty_at(critic, real, norm=norm, reduction=reduction)",
            ("tests/penalties_test.py",)),
    Variant("gp_no_sqrt_epsilon", "no ε inside the norm's square root", "tfwgan/penalties.py",
            "return tf.sqrt(_sum_per_example(tf.square(gradients)) + NORM_EPSILON)",
            "return tf.sqrt(_sum_per_example(tf.square(gradients)))",
            ("tests/penalties_test.py",)),
    Variant("lp_two_sided", "WGAN-LP penalty two-sided", "tfwgan/penalties.py",
            "penalty_at(critic, points, one_sided=True,",
            "penalty_at(critic, points, one_sided=False,", ("tests/penalties_test.py",)),
    Variant("dragan_fixed_scale", "DRAGAN perturbation scale fixed, not tied to the batch std",
            "tfwgan/penalties.py",
            "delta = scale * _batch_std(real) * generator.uniform(",
            "delta = scale * generator.uniform(", ("tests/penalties_test.py",)),
    Variant("clipping_skipped", "weight clipping never applied", "tfwgan/penalties.py",
            "    clip_weights(critic, self.clip_value)\n", "    pass\n",
            ("tests/gan_test.py::TrainStepTest", "tests/penalties_test.py")),
    # The loop.
    Variant("reused_real_batch", "one real batch reused for every critic update",
            "tfwgan/gan.py", "update(index, real_batches[:, index], step_labels(index))",
            "update(index, real_batches[:, 0], step_labels(index))", ("tests/gan_test.py::TrainStepTest",)),
    Variant("reused_real_batch_looped", "one real batch reused (looped critic phase)",
            "tfwgan/gan.py",
            "update(index, tf.gather(real_batches, index, axis=1), step_labels(index))",
            "update(index, real_batches[:, 0], step_labels(index))", ("tests/gan_test.py::TrainStepTest",)),
    Variant("wasserstein_generator_sign", "Wasserstein generator loss sign flipped",
            "tfwgan/losses.py", "reduce_per_example(-_flat(fake_scores), reduction)",
            "reduce_per_example(_flat(fake_scores), reduction)", ("tests/losses_test.py",)),
    Variant("non_saturating_generator_sign", "non-saturating generator loss sign flipped",
            "tfwgan/losses.py", "tf.nn.softplus(-_flat(fake_logits))",
            "tf.nn.softplus(_flat(fake_logits))", ("tests/losses_test.py",)),
    Variant("penalty_weight_ignored", "the critic objective adds the bare penalty (λ "
            "ignored)", "tfwgan/gan.py", "objective = objective + self.penalty_weight * penalty",
            "objective = objective + penalty", ("tests/gan_test.py::TrainStepTest",),
            select="penalty_weight"),
    Variant("penalty_weight_on_the_loss", "λ multiplies the critic loss, not the penalty",
            "tfwgan/gan.py", "objective = objective + self.penalty_weight * penalty",
            "objective = self.penalty_weight * objective + penalty",
            ("tests/gan_test.py::TrainStepTest",), select="penalty_weight"),
    Variant("same_noise_every_critic_step", "every critic step of an outer iteration draws "
            "sub-stream 0's noise (z, ε, perturbations)", "tfwgan/gan.py",
            "      with self._random.substream(index):",
            "      with self._random.substream(0):", ("tests/gan_test.py::TrainStepTest",),
            select="own_noise"),
    Variant("same_noise_every_outer_iteration", "every outer iteration draws the same noise "
            "(the stream not keyed by the step)", "tfwgan/gan.py",
            "    self._random.start_step(self.outer_iterations.value)",
            "    self._random.start_step(0)", ("tests/gan_test.py::TrainStepTest",),
            select="own_noise"),
    Variant("logged_critic_loss_with_penalty", "logged critic loss includes the penalty",
            "tfwgan/gan.py", "self._track(\"critic_loss\", tf.reduce_mean(critic_loss), kept)",
            "self._track(\"critic_loss\", tf.reduce_mean(objective), kept)",
            ("tests/gan_test.py::TrainStepTest",)),
    # tf.distribute.
    Variant("per_replica_mean", "per-replica reduce_mean instead of the global-batch mean "
            "(2x gradients on 2 replicas)", "tfwgan/reduction.py",
            "  return tf.nn.compute_average_loss(values)", "  return tf.reduce_mean(values)",
            (MATRIX,), select="mlp_rwp_2"),
    Variant("unsynchronized_batch_norm", "generator batch norm not synchronized over replicas",
            "tfwgan/networks.py", "keras.layers.BatchNormalization(synchronized=True), "
            "keras.layers.ReLU()", "keras.layers.BatchNormalization(), keras.layers.ReLU()",
            (MATRIX,), occurrences=2, select="dcgan28_rwp_2"),
    # Issue #23: replica equivalence that can fail.
    Variant("per_replica_mean_mirrored", "per-replica reduce_mean (2x gradients), against "
            "the mirrored-vs-one-device cases", "tfwgan/reduction.py",
            "  return tf.nn.compute_average_loss(values)", "  return tf.reduce_mean(values)",
            (MIRRORED,), select="wgan_gp_rwp"),
    Variant("per_replica_mean_multi_worker", "per-replica reduce_mean (2x gradients), against "
            "the two-worker run", "tfwgan/reduction.py",
            "  return tf.nn.compute_average_loss(values)", "  return tf.reduce_mean(values)",
            ("tests/distribution_test.py::MultiWorkerTest",)),
    Variant("unsynchronized_batch_norm_mirrored", "batch norm (generator and critic) not "
            "synchronized, against the mirrored DCGAN case", "tfwgan/networks.py",
            "BatchNormalization(synchronized=True)", "BatchNormalization()", (MIRRORED,),
            occurrences=3, select="batch_norm"),
    Variant("skip_verdict_per_replica", "skip_nonfinite_updates decided per replica (a NaN on "
            "one replica only)", "tfwgan/gan.py",
            "kept = tf.cast(tf.equal(cross_replica_sum(bad), 0.0), tf.float32)",
            "kept = tf.cast(tf.equal(bad, 0.0), tf.float32)", (MIRRORED,),
            select="skip_nonfinite"),
    Variant("cross_replica_sum_local", "cross_replica_sum returns the local value",
            "tfwgan/reduction.py",
            "  if context is None or context.num_replicas_in_sync == 1:",
            "  if True:", (MIRRORED,), select="reductions"),
    # Issue #23: kill-safety.
    Variant("first_checkpoint_not_set_aside", "a half-written first checkpoint blocks the "
            "rerun (refusing to start over)", "tfwgan/training.py",
            "    _set_aside_incomplete_first_checkpoint(logdir, directory, leftovers)\n"
            "    return None",
            "    raise ValueError('has checkpoint files but no readable checkpoint state')",
            ("tests/training_test.py::ReliabilityTest", KILL), select="first_checkpoint or toy"),
    Variant("export_staging_kept", "a killed export's staging directory is never removed",
            "tfwgan/export.py", "  for staging in _leftovers(target, STAGING_PREFIX):",
            "  for staging in []:", ("tests/export_test.py", KILL)),
    Variant("clock_restarts_on_resume", "the training clock starts at 0 on every resume",
            "tfwgan/callbacks.py",
            "self._base, self._start = float(self.variable.numpy()), time.perf_counter()",
            "self._base, self._start = 0.0, time.perf_counter()",
            ("tests/training_test.py::ReliabilityTest", KILL), select="clock or toy"),
    Variant("npz_reshuffled_on_resume", ".npz data reshuffled on resume instead of replayed",
            "tfwgan/data.py",
            "replayable_order(len(array), seed=seed, start=start * batch_size * critic_steps)",
            "replayable_order(len(array), seed=seed + start, start=0)",
            ("tests/data_test.py", KILL), select="npz"),
    # Issue #23: every field reaches the run; tests that could not fail.
    Variant("adam_betas_not_wired", "--beta1/--beta2 never reach Adam (the preset's kept)",
            "tfwgan/training.py", "config.learning_rate, config.beta1,\n"
            "                                    config.beta2, rho=",
            "config.learning_rate, rho=", (WIRING,), select="beta"),
    Variant("clip_value_not_wired", "--clip_value never reaches weight clipping",
            "tfwgan/training.py", "penalties.WeightClipping(config.clip_value)",
            "penalties.WeightClipping()", (WIRING,), select="clip_value"),
    Variant("gamma_not_wired", "--gamma/--w2_one_sided never reach the WWGAN penalty",
            "tfwgan/training.py",
            "penalties.Wasserstein2Penalty(config.gamma, config.w2_one_sided,",
            "penalties.Wasserstein2Penalty(", ("tests/training_test.py",),
            select="wwgan or gamma or w2_one_sided"),
    Variant("verbose_not_wired", "--verbose never reaches the progress bar",
            "tfwgan/training.py",
            "                                                  config.verbose if chief else 0)",
            "                                                  1 if chief else 0)", (WIRING,),
            select="verbose"),
    Variant("fid_clock_not_paused", "evaluation time charged to the training clock",
            "tfwgan/callbacks.py", "    with self.clock.paused():",
            "    with contextlib.nullcontext():", ("tests/callbacks_test.py",)),
    Variant("inception_score_tempered", "Inception score on logits / 2 (a softmax "
            "temperature: one-hot logits still give k)", "tfwgan/evaluation/metrics.py",
            "float(score(_tensor(logits[index * size:(index + 1) * size])))",
            "float(score(_tensor(logits[index * size:(index + 1) * size]) / 2))",
            ("tests/evaluation_metrics_test.py",)),
    Variant("fid_from_the_first_evaluation", "the FID callback reports a stale score (the "
            "first evaluation's) at every step", "tfwgan/callbacks.py",
            "      self.results[step] = {**results, \"training_seconds\": training_seconds}",
            "      results = next(iter(self.results.values()), results)\n"
            "      self.results[step] = {**results, \"training_seconds\": training_seconds}",
            ("tests/callbacks_test.py",)),
    Variant("classifier_trained_on_held_out", "the classifier's held-out digits are also "
            "trained on", "tfwgan/evaluation/domain_classifier.py",
            "  return order[test_count:], order[:test_count]",
            "  return order, order[:test_count]",
            ("tests/evaluation_domain_classifier_test.py",)),
    # Issue #22: runs never silently reuse another run; inputs checked; console.
    Variant("identity_only_model_fields", "a logdir's run compared on model-shaping fields "
            "only (λ silently changed on resume)", "tfwgan/config.py",
            "if name not in RESUME_SAFE_FIELDS and name in recorded",
            "if name in ('method', 'dataset', 'latent_dim') and name in recorded",
            ("tests/training_test.py::ReliabilityTest",), select="foreign"),
    Variant("run_name_ignores_overrides", "an overridden preset lands in the base run's logdir",
            "tfwgan/config.py",
            "fields[\"run_name\"] = run_name_with_overrides(preset.name, changed)",
            "fields[\"run_name\"] = preset.name", (DAILY,), select="overridden"),
    Variant("export_into_saved_models", "the default export goes to saved_models/ (a tracked "
            "directory), not under the logdir", "tfwgan/config.py",
            "return self.export_dir or f\"{self.resolved_logdir.rstrip('/')}/export\"",
            "return self.export_dir or os.path.join('saved_models', self.run_name)",
            (DAILY,), select="nothing_outside"),
    Variant("npz_nan_unchecked", "NaN samples in an .npz pass the input check",
            "tfwgan/data.py",
            "if np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():",
            "if False:", ("tests/data_test.py",), select="bad_training_data"),
    Variant("sample_count_unchecked", "a data file smaller than one outer iteration passes",
            "tfwgan/data.py", "  if count < samples_needed:", "  if False:",
            ("tests/data_test.py",), select="bad_training_data"),
    Variant("toy_eval_every_ignored", "--eval_every ignored for 2-D data", "tfwgan/training.py",
            "every=config.eval_every or config.log_every", "every=config.log_every",
            ("tests/training_test.py::ReliabilityTest",), select="cadence"),
    Variant("resume_line_missing", "a rerun resumes silently", "tfwgan/training.py",
            "    logging.info(\"Resuming %s at step %d from checkpoint %s.\", "
            "config.resolved_logdir,", "    logging.debug(\"Resuming %s at step %d from "
            "checkpoint %s.\", config.resolved_logdir,", (DAILY,), select="resume_and_summary"),
    # Issue #20: the ResNet recipe's EMA, schedule and generator batch.
    Variant("ema_decay_swapped", "EMA weights swapped: θ_ema ← (1 − d)·θ_ema + d·θ",
            "tfwgan/ema.py", "average.assign(tf.cast(decay, average.dtype) * average\n"
            "                       + tf.cast(1.0 - decay, average.dtype) * variable)",
            "average.assign(tf.cast(1.0 - decay, average.dtype) * average\n"
            "                       + tf.cast(decay, average.dtype) * variable)",
            ("tests/ema_test.py",)),
    Variant("ema_starts_late", "EMA start step off by one (averaging from start_step + 2)",
            "tfwgan/ema.py", "averaging = tf.cast(step > self.start_step, tf.float32)",
            "averaging = tf.cast(step > self.start_step + 1, tf.float32)",
            ("tests/ema_test.py",)),
    Variant("ema_never_updated", "the EMA is attached but never updated in the train step",
            "tfwgan/gan.py", "      self.generator_ema.update(self.outer_iterations.value)",
            "      pass", ("tests/ema_test.py",)),
    Variant("lr_on_optimizer_steps", "the linear decay keyed on optimizer.iterations",
            "tfwgan/schedules.py", "    del step  # the optimizer's own count: not the outer "
            "iteration\n    done = tf.cast(self.counter, tf.float32) / float(self.total_steps)",
            "    done = tf.cast(step, tf.float32) / float(self.total_steps)",
            ("tests/schedules_test.py",)),
    Variant("generator_batch_ignored", "generator updates use the critic's batch",
            "tfwgan/gan.py", "    batch_size = self._generator_batch(tf.shape(real_batches)[0])",
            "    batch_size = tf.shape(real_batches)[0]", ("tests/gan_test.py::GeneratorBatchTest",)),
    Variant("resnet_critic_batch_norm", "batch norm in the ResNet critic's blocks",
            "tfwgan/networks.py", "      x = _residual_block(x, width, resample=resample, "
            "normalization=None,", "      x = _residual_block(x, width, resample=resample, "
            "normalization=_batch_norm(1e-5),", ("tests/networks_test.py",)),
    # Precision/recall (Kynkäänniemi et al. 2019), density/coverage (Naeem et al. 2020).
    Variant("knn_radius_counts_self", "k-NN radius taken at the k-th smallest distance with "
            "the sample's own 0 (the (k−1)-th neighbour)", "tfwgan/evaluation/neighbours.py",
            "return {k: smallest[:, k] for k in ks}",
            "return {k: smallest[:, k - 1] for k in ks}", (NEIGHBOURS,)),
    Variant("knn_not_strict", "density counts a distance equal to the radius (<=)",
            "tfwgan/evaluation/neighbours.py",
            "np.count_nonzero(block < radii[:, None], axis=0)",
            "np.count_nonzero(block <= radii[:, None], axis=0)", (NEIGHBOURS,)),
    Variant("density_without_k", "density divided by M, not k·M",
            "tfwgan/evaluation/neighbours.py", "/ (density_coverage_k * len(generated)))",
            "/ len(generated))", (NEIGHBOURS,)),
    Variant("precision_generated_radii", "precision tests generated samples against the "
            "generated balls", "tfwgan/evaluation/neighbours.py",
            "np.any(block < real_radii[precision_recall_k][rows, None],\n"
            "                                          axis=0)",
            "np.any(block < generated_radii[precision_recall_k][None, :],\n"
            "                                          axis=0)", (NEIGHBOURS,)),
    Variant("recall_real_radii", "recall tests real samples against the real balls",
            "tfwgan/evaluation/neighbours.py",
            "np.any(block < generated_radii[precision_recall_k][None, :],\n"
            "                                      axis=1)",
            "np.any(block < real_radii[precision_recall_k][rows, None],\n"
            "                                      axis=1)", (NEIGHBOURS,)),
    Variant("coverage_of_generated", "coverage counted over generated samples (precision at "
            "k = 5)", "tfwgan/evaluation/neighbours.py",
            "float(np.mean(counts[\"coverage\"]))",
            "float(np.mean(counts[\"in_real_ball_dc\"] > 0))", (NEIGHBOURS,)),
    Variant("knn_lower_blocks_dropped", "the within-set pass skips the transposed "
            "(below-diagonal) blocks", "tfwgan/evaluation/neighbours.py",
            "        _merge_smallest(smallest[columns], block.T, keep)",
            "        pass", (NEIGHBOURS,)),
    Variant("knn_diagonal_blocks_dropped", "the within-set pass skips the diagonal blocks",
            "tfwgan/evaluation/neighbours.py", "for j in range(i, len(x), block_rows):",
            "for j in range(i + block_rows, len(x), block_rows):", (NEIGHBOURS,)),
    Variant("scores_sets_swapped", "image scores get the generated features as the real ones",
            "tfwgan/evaluation/scoring.py",
            "_neighbour_results(real.features, generated.features, metrics)",
            "_neighbour_results(generated.features, real.features, metrics)",
            ("tests/evaluation_scoring_test.py", "tests/callbacks_test.py"),
            select="apart or chosen_metric"),
    Variant("point_scores_sets_swapped", "2-D scores get the generated points as the real ones",
            "tfwgan/evaluation/scoring.py", "_neighbour_results(real, generated, metrics)",
            "_neighbour_results(generated, real, metrics)",
            ("tests/evaluation_scoring_test.py",), select="raw_points"),
    # Sliced Wasserstein distance (TF-GAN's function).
    Variant("swd_sets_swapped", "TF-GAN's SWD called with the generated images as the real",
            "tfwgan/evaluation/swd.py", "tf.constant(real), tf.constant(generated)",
            "tf.constant(generated), tf.constant(real)", (SWD,)),
    Variant("swd_pair_misread", "TF-GAN's (real-to-real, real-to-fake) pair read the other way",
            "tfwgan/evaluation/swd.py", "for resolution, (real_to_real, real_to_generated) in",
            "for resolution, (real_to_generated, real_to_real) in", (SWD,)),
    # Issue #28: the evaluation protocol and the reference code's details.
    Variant("live_generator_scored", "evaluate(gan) scores the live generator, not the EMA",
            "tfwgan/evaluation/scoring.py",
            'networks = {"": sampling_generator() if sampling_generator else model.generator}',
            'networks = {"": model.generator}', (SCORING,), select="ema"),
    Variant("inception_score_one_split", "the Inception score on the whole set when 10 "
            "splits are asked", "tfwgan/evaluation/metrics.py",
            "  size = len(logits) // splits\n", "  size, splits = len(logits), 1\n",
            (METRICS,), select="inception"),
    Variant("inception_score_unequal_splits", "splits of unequal size (Salimans et al.'s "
            "i·N/splits boundaries) instead of equal ones", "tfwgan/evaluation/metrics.py",
            "logits[index * size:(index + 1) * size]",
            "logits[index * len(logits) // splits:(index + 1) * len(logits) // splits]",
            (METRICS,), select="inception"),
    Variant("noise_floor_overlapping_sets", "the noise floor's two real sets overlap by half",
            "tfwgan/evaluation/scoring.py",
            "samples[num_samples:2 * num_samples]",
            "samples[num_samples // 2:num_samples // 2 + num_samples]", (SCORING,),
            select="noise_floor"),
    Variant("standing_statistics_in_inference_mode", "standing statistics gathered with "
            "batch norm in inference mode (they never move)", "tfwgan/sampling.py",
            "                                       inputs(z, labels), training=True)",
            "                                       inputs(z, labels), training=False)",
            (SAMPLING,)),
    Variant("batch_mode_in_inference_mode", "'batch' sampling runs batch norm in inference "
            "mode", "tfwgan/sampling.py",
            "                                             training=True)",
            "                                             training=False)", (SAMPLING,)),
    Variant("warmup_every_off_by_one", "WGAN's every-500th warm-up iteration one late",
            "tfwgan/training.py", "step % config.warmup_critic_every == 0",
            "(step + 1) % config.warmup_critic_every == 0", ("tests/training_test.py",),
            select="Phases or warmup_critic_every"),
    Variant("sbe_potential_without_inverse_h", "the potential ascends E[...] without Alg. 2's "
            "1/h", "tfwgan/gan.py", "h=self.proximal.potential_objective_h,", "h=1.0,",
            (MATRIX,), select="sbe"),
    Variant("sbe_objective_drops_h", "sbe_potential_objective ignores its h",
            "tfwgan/proximal.py", "- potential_gradient_energy(potential, anchor_generated)) / h",
            "- potential_gradient_energy(potential, anchor_generated))",
            ("tests/proximal_test.py",)),
    Variant("diamond_graph_without_a_diagonal", "WWGAN's diamond graph misses the (1, −1) "
            "diagonal", "tfwgan/penalties.py",
            '"diamond": ((0, 1), (1, 0), (0, 2), (2, 0), (1, 1), (1, -1)),',
            '"diamond": ((0, 1), (1, 0), (0, 2), (2, 0), (1, 1)),', (PENALTIES,),
            select="Wasserstein2"),
    Variant("diamond_graph_without_distance_two", "WWGAN's diamond graph misses the pixels "
            "two apart", "tfwgan/penalties.py",
            '"diamond": ((0, 1), (1, 0), (0, 2), (2, 0), (1, 1), (1, -1)),',
            '"diamond": ((0, 1), (1, 0), (1, 1), (1, -1)),', (PENALTIES,),
            select="Wasserstein2"),
    Variant("resnet_glorot_init", "the ResNets' residual convolutions keep Glorot's init",
            "tfwgan/networks.py", "VarianceScaling(2.0, mode=", "VarianceScaling(1.0, mode=",
            ("tests/networks_test.py",), select="authors"),
    Variant("rmsprop_pytorch_decay_dropped", "RMSprop built without the spec's ρ",
            "tfwgan/presets.py", "keras.optimizers.RMSprop(rate, rho=self.rho,",
            "keras.optimizers.RMSprop(rate,", (WIRING,), select="rmsprop_rho"),
    Variant("final_evaluation_at_training_count", "the final evaluation scores "
            "num_eval_samples, not final_eval_samples", "tfwgan/training.py",
            "  count = config.final_eval_samples\n", "  count = config.num_eval_samples\n",
            ("tests/training_test.py",), select="final_evaluation"),
    Variant("protocol_generator_always_live", "the protocol says 'live' for an EMA run",
            "tfwgan/training.py", 'generator="live" if config.ema_decay is None else "ema",',
            'generator="live",', ("tests/training_test.py",), select="protocol"),
    Variant("protocol_split_dropped", "the protocol names the train split whatever "
            "--eval_split says", "tfwgan/training.py",
            "real_split=data.real_set_name(config.dataset, config.eval_split),",
            "real_split=data.real_set_name(config.dataset),", ("tests/training_test.py",),
            select="protocol"),
    Variant("export_batch_norm_unrecorded", "the export's metadata lacks its batch-norm mode",
            "tfwgan/export.py", '**(metadata or {}), "batch_norm": batch_norm})',
            "**(metadata or {})})", ("tests/export_test.py",)),
    Variant("standing_statistics_on_the_live_generator", "standing statistics written into "
            "the live generator instead of a copy", "tfwgan/sampling.py",
            "  copy = keras.models.clone_model(generator)\n  copy.build(generator.input_shape)\n"
            "  copy.set_weights(generator.get_weights())\n", "  copy = generator\n", (SAMPLING,)),
    Variant("numpy_points_not_converted", "potential_gradient_energy watches a NumPy array",
            "tfwgan/proximal.py", "  points = tf.convert_to_tensor(points)\n"
            "  with tf.GradientTape() as tape:", "  with tf.GradientTape() as tape:",
            ("tests/numpy_inputs_test.py",)),
    Variant("resnet_keras_norm_epsilon", "the ResNets' norms keep Keras' ε 1e-3",
            "tfwgan/networks.py", "_batch_norm(norm_epsilon)", "_batch_norm(1e-3)",
            ("tests/networks_test.py",), select="authors"),
    Variant("adam_epsilon_dropped", "Adam built without the spec's ε", "tfwgan/presets.py",
            "beta_2=self.beta_2,\n                                 epsilon=self.epsilon)",
            "beta_2=self.beta_2)", (WIRING,), select="optimizer_epsilon"),
    Variant("console_line_without_sample_count", "the console evaluation line drops the "
            "sample count", "tfwgan/callbacks.py",
            'logging.info("step %d (%d samples): %s", step, num_samples, format_scores(results))',
            'logging.info("step %d: %s", step, format_scores(results))',
            ("tests/launchers_test.py",), select="resume_and_summary"),
    # Issue #32: several machines.
    Variant("non_chief_writes_into_the_logdir", "a non-chief task writes its checkpoints and "
            "summaries into the shared logdir", "tfwgan/training.py",
            "    return _train(config, strategy, networks, scratch, chief=False,",
            "    return _train(config, strategy, networks, config.resolved_logdir, chief=False,",
            (MULTI_WORKER_LAUNCHER,), select="one_logdir"),
    Variant("worker_scratch_kept", "the non-chief's scratch directory is left behind",
            "tfwgan/training.py", "    files.remove_tree(scratch)\n", "    pass\n",
            (MULTI_WORKER_LAUNCHER,), select="one_logdir"),
    Variant("sigterm_exits_without_saving", "SIGTERM is not caught: the run dies without a "
            "checkpoint at that step", "tfwgan/callbacks.py",
            "      self._previous = signal.signal(signal.SIGTERM, self._handle)",
            "      self._previous = None", ("tests/launchers_test.py",),
            select="PreemptionTest and one_device"),
    Variant("preemption_not_agreed", "only the task that got SIGTERM stops (no all-reduce of "
            "the notice)", "tfwgan/callbacks.py",
            "    if not isinstance(self.strategy, tf.distribute.MultiWorkerMirroredStrategy):\n"
            "      return flag > 0", "    if True:\n      return flag > 0",
            ("tests/launchers_test.py",),
            select="PreemptionTest and worker_then_to_the_chief"),
    # The suite freezes earlier tests' objects before each test (tests/conftest.py): the
    # phase's own collection must still be what releases its iterator.
    Variant("phase_iterator_not_released", "training.run does not collect fit's data "
            "iterator cycle at a phase's end (its prefetch threads live on to exit)",
            "tfwgan/training.py", "      gc.collect()\n", "      pass\n",
            ("tests/training_test.py::ReliabilityTest",), select="iterator_is_released"),
    Variant("workers_read_the_same_samples", "both workers read the same samples (sharding "
            "off)", "tfwgan/data.py", "      tf.data.experimental.AutoShardPolicy.DATA)",
            "      tf.data.experimental.AutoShardPolicy.OFF)", (MULTI_WORKER_LAUNCHER,),
            select="one_logdir"),
    # A researcher's first hour (#33).
    Variant("image_data_gets_the_toy_default", "images without --preset train the toy "
            "default (MLPs, latent_dim=2)", "tfwgan/presets.py",
            "  return (IMAGE_DEFAULT_PRESET if dataset is not None",
            "  return (DEFAULT_PRESET if dataset is not None", ("tests/config_test.py",),
            select="image_default"),
    Variant("toy_preset_on_images_accepted", "a toy preset with image data is not refused",
            "tfwgan/config.py", "    if (preset.dataset in data.TOY_DATASETS and dataset is not None\n",
            "    if (False and dataset is not None\n", ("tests/config_test.py",),
            select="image_default"),
    Variant("final_count_not_fitted", "the image default's final evaluation (10,000) is "
            "kept on a smaller image set", "launchers/train.py",
            "  return dataclasses.replace(config, final_eval_samples=available)",
            "  return config", (FIRST_HOUR,), select="image_default"),
    Variant("run_name_paths_unhashed", "a path in a run name is written out (not its last "
            "part and a hash)", "tfwgan/config.py",
            "  if field in PATH_FIELDS and isinstance(value, str):",
            "  if False:", ("tests/config_test.py",), select="readable"),
    Variant("evaluate_ignores_the_export_metadata", "evaluate.py takes the data path from "
            "its flag only", "launchers/evaluate.py",
            "  return dict(dataset=dataset, data_dir=pick(\"data_dir\", None, data_field=True),",
            "  return dict(dataset=dataset, data_dir=FLAGS.data_dir,", (FIRST_HOUR,),
            select="export_alone"),
    Variant("results_overwritten", "a second evaluation or sample replaces the first",
            "tfwgan/files.py", "    if not any(gfile.exists(path) for path in paths):",
            "    if True:", ("tests/files_test.py",)),
    Variant("classifier_shape_unchecked", "a classifier that cannot take the samples is "
            "not refused", "tfwgan/evaluation/classifiers.py",
            "  expected = getattr(classifier, \"input_shape\", None)",
            "  expected = None", ("tests/evaluation_classifiers_test.py",)),
    Variant("indivisible_batch_unchecked", "an unknown-size fit batch is not checked "
            "against critic_steps", "tfwgan/gan.py", "    return dataset.map(check)",
            "    return dataset", ("tests/gan_test.py::BadInputTest",), select="unknown"),
    Variant("progress_from_one", "the progress bar counts this fit's batches (1/… after a "
            "resume)", "tfwgan/callbacks.py",
            "      step = min(_step(self.model), self.last_step)\n",
            "      step = batch + 1\n",
            ("tests/callbacks_test.py::OuterIterationProgressTest",)),
    Variant("keras_found_line_printed", "Keras' 'Found N files.' printed at every folder "
            "read", "tfwgan/data.py",
            "  with contextlib.redirect_stdout(io.StringIO()):   # Keras' \"Found N files.\" at every call",
            "  with contextlib.nullcontext():", ("tests/data_test.py",), select="folder_resizes"),
    Variant("tfgan_deprecations_shown", "TF-GAN's deprecation warnings reach the console",
            "tfwgan/evaluation/tfgan_compat.py",
            "  logger.setLevel(\"ERROR\")\n  try:\n    with deprecation.silence():\n      yield",
            "  try:\n    if True:\n      yield", (FIRST_HOUR,), select="console"),
    Variant("console_lines_prefixed", "resume and data lines carry absl's prefix",
            "launchers/quiet_tensorflow.py",
            "    if record.levelno == logging.INFO and _OWN_PATH.search(record.pathname):",
            "    if False:", (FIRST_HOUR,), select="console"),
    Variant("lost_task_not_recognised", "a lost task's collective error is not recognised",
            "tfwgan/distribution.py", "  if not isinstance(error, _LOST_TASK_ERRORS):\n    return []",
            "  if True:\n    return []", ("tests/distribution_test.py",), select="LostTask"),
    # Class-conditional GANs (tfwgan.conditioning).
    Variant("labels_shuffled", "the labels are paired with other samples than their own",
            "tfwgan/gan.py", "    return tf.reshape(labels, [-1, self.critic_steps])",
            "    return tf.reshape(tf.reverse(labels, [0]), [-1, self.critic_steps])",
            (LABELLED,)),
    Variant("generated_labels_ignored", "the generator is given class 0 instead of its labels",
            "tfwgan/gan.py", "    return [z, labels]", "    return [z, tf.zeros_like(labels)]",
            (LABELLED,)),
    Variant("projection_term_missing", "the projection critic drops ⟨e_y, φ(x)⟩",
            "tfwgan/conditioning.py", "([head(phi), projection])",
            "([head(phi), 0.0 * projection])", ("tests/conditioning_test.py", LABELLED)),
    Variant("acgan_critic_sign", "the critic's AC-GAN cross-entropy subtracted",
            "tfwgan/gan.py",
            "objective + self.conditioning.acgan_critic_weight * classification",
            "objective - self.conditioning.acgan_critic_weight * classification",
            (WRITTEN_OUT,), select="acgan"),
    Variant("acgan_generator_sign", "the generator's AC-GAN cross-entropy subtracted",
            "tfwgan/gan.py",
            "objective + self.conditioning.acgan_generator_weight * classification",
            "objective - self.conditioning.acgan_generator_weight * classification",
            (WRITTEN_OUT,), select="acgan"),
    Variant("penalty_points_other_labels", "the penalty's points scored with other labels",
            "tfwgan/gan.py",
            "      return self._critic_outputs(points, labels, training=training)[0]",
            "      return self._critic_outputs(points, tf.reverse(labels, [0]), "
            "training=training)[0]", (WRITTEN_OUT,)),
    Variant("critic_fakes_with_drawn_labels", "a critic step's fakes get drawn labels, not "
            "the real batch's", "tfwgan/gan.py",
            "    fake = self.generator(self._generator_inputs(tf.shape(real)[0], labels), "
            "training=True)",
            "    fake = self.generator(self._generator_inputs(tf.shape(real)[0]), "
            "training=True)", (LABELLED,)),
    Variant("acgan_critic_on_fake_logits", "the critic's AC-GAN cross-entropy on the fakes' "
            "logits", "tfwgan/gan.py",
            "      fake_scores, _ = self._critic_outputs(fake_seen, labels)",
            "      fake_scores, real_logits = self._critic_outputs(fake_seen, labels)",
            (WRITTEN_OUT,), select="acgan"),
    Variant("bad_labels_unchecked", "a label outside the classes is not refused",
            "tfwgan/gan.py", "      dataset = dataset.map(self._check_labels)",
            "      pass", (LABELLED,), select="outside"),
    Variant("rwp_anchor_other_labels", "the RWP anchor g_θk−1 gets other labels than the "
            "generator", "tfwgan/gan.py",
            "    if isinstance(self.proximal, proximal_lib.RWP):\n"
            "      anchor_generated = self.generator_anchor(inputs, training=True)",
            "    if isinstance(self.proximal, proximal_lib.RWP):\n"
            "      anchor_generated = self.generator_anchor(inputs if not isinstance(inputs, list)"
            " else [inputs[0], tf.reverse(inputs[1], [0])], training=True)",
            (CONDITIONAL_MATRIX,), select="projection_rwp_1 or acgan_rwp_1"),
    # DiffAugment (tfwgan.augment).
    Variant("augment_real_only", "augmentation applied to the real samples only",
            "tfwgan/gan.py",
            "      real_seen, fake_seen = self._augmented(real), self._augmented(fake)",
            "      real_seen, fake_seen = self._augmented(real), fake", (WRITTEN_OUT,),
            select="_augmented"),
    Variant("augment_not_in_generator_step", "the generator's step scores G(z) without T",
            "tfwgan/gan.py", "self._critic_outputs(self._augmented(generated), labels)",
            "self._critic_outputs(generated, labels)", (WRITTEN_OUT,), select="_augmented"),
    Variant("augment_stop_gradient", "T under stop_gradient (no gradient through it)",
            "tfwgan/gan.py",
            "    return samples if self.augment is None else self.augment(samples, self._random)",
            "    return samples if self.augment is None else tf.stop_gradient("
            "self.augment(samples, self._random))", (WRITTEN_OUT,), select="_augmented"),
    Variant("augment_stop_gradient_in_transform", "T's transforms cut the gradient",
            "tfwgan/augment.py", "    return images\n\n  def get_config",
            "    return tf.stop_gradient(images)\n\n  def get_config",
            ("tests/augment_test.py",)),
    Variant("augment_penalty_not_through_t", "penalty_points='original' runs as "
            "'augmented' (D at points of the augmented samples)", "tfwgan/gan.py",
            "    through = self.augment is not None and self.augment.penalty_points == \"original\"",
            "    through = False", (WRITTEN_OUT,), select="_augmented"),
    Variant("augment_penalty_always_through_t", "penalty_points='augmented' runs as "
            "'original' (through T)", "tfwgan/gan.py",
            "    through = self.augment is not None and self.augment.penalty_points == \"original\"",
            "    through = self.augment is not None", (WRITTEN_OUT,), select="_augmented"),
    Variant("perturb_both_one_draw", "WGAN-LP perturb_both draws real and fake noise as one "
            "batch (replicas then draw other noise than one device)", "tfwgan/penalties.py",
            "    per_example = 0.5 * (at(gaussian_perturbation(real, std=perturbation_std, "
            "rng=rng))\n"
            "                         + at(gaussian_perturbation(fake, std=perturbation_std, "
            "rng=rng)))",
            "    both = gaussian_perturbation(tf.concat([real, fake], 0), std=perturbation_std, "
            "rng=rng)\n"
            "    per_example = 0.5 * (at(both[:tf.shape(real)[0]]) + at(both[tf.shape(real)[0]:]))",
            (MIRRORED,), select="perturb_both"),
    Variant("augment_one_draw_per_batch", "one augmentation draw for the whole batch",
            "tfwgan/augment.py", "  return rng.uniform(tf.stack([tf.shape(images)[0], 1, 1, 1]), "
            "dtype=images.dtype)",
            "  return tf.tile(rng.uniform([1, 1, 1, 1], dtype=images.dtype), "
            "tf.stack([tf.shape(images)[0], 1, 1, 1]))", ("tests/augment_test.py",)),
    # Nothing silent, nothing slow (#41).
    Variant("label_gap_accepted", "labels with a gap (or one stray label) set the class count "
            "to the largest label + 1", "tfwgan/data.py",
            "  if present.size and present[-1] != present.size - 1:",
            "  if False:", ("tests/data_test.py",), select="classes_are_the_labels"),
    Variant("empty_class_folder_skipped", "an image folder's sub-folder without images is "
            "dropped without a word", "tfwgan/data.py", "  if empty:\n",
            "  names = [name for name in names if name not in empty]\n  if False:\n",
            ("tests/data_test.py",), select="empty_class_folder"),
    Variant("stop_agreed_one_iteration_late", "a SIGTERM notice is acted on one outer "
            "iteration after the one it arrived in", "tfwgan/callbacks.py",
            "    if self.step is None and self._any_task_noticed():",
            "    noticed, self._late = getattr(self, '_late', False), self._any_task_noticed()\n"
            "    if self.step is None and noticed:",
            ("tests/callbacks_test.py::PreemptionCheckpointTest",)),
    Variant("stale_scratch_kept", "a killed task's scratch directory is never removed",
            "tfwgan/distribution.py",
            "      shutil.rmtree(path, ignore_errors=True)", "      pass",
            ("tests/training_test.py::ReliabilityTest",),
            select="scratch_directory"),
    Variant("unwritable_logdir_not_checked", "a read-only logdir is found only when the run "
            "first writes (a traceback after start-up)", "tfwgan/training.py",
            "  for name, path in paths.items():\n    files.check_writable(path, name=name)",
            "  for name, path in paths.items():\n    pass", ("tests/launchers_test.py",),
            select="unwritable or read_only_logdir"),
    Variant("save_falls_through_to_keras", "GAN.save writes a Keras file that does not hold "
            "the anchor, potential, EMA and optimizers (no one-line refusal)", "tfwgan/gan.py",
            "  def save(self, filepath, *args, **kwargs):",
            "  def _save_refused(self, filepath, *args, **kwargs):", ("tests/launchers_test.py",),
            select="python_api"),

    # The baselines researchers use today (#42): hinge, least squares, R1/R2, lazy R1.
    Variant("hinge_margins_swapped", "hinge margins swapped between real and fake",
            "tfwgan/losses.py",
            "tf.nn.relu(1.0 - _flat(real_scores)) + tf.nn.relu(1.0 + _flat(fake_scores))",
            "tf.nn.relu(1.0 + _flat(real_scores)) + tf.nn.relu(1.0 - _flat(fake_scores))",
            ("tests/losses_test.py",)),
    Variant("least_squares_targets_swapped", "LSGAN's generator pushes D(g(z)) to the fake "
            "target 0", "tfwgan/losses.py",
            "0.5 * tf.square(_flat(fake_scores) - LSGAN_REAL)",
            "0.5 * tf.square(_flat(fake_scores) - LSGAN_FAKE)", ("tests/losses_test.py",)),
    Variant("r1_at_generated_samples", "R1 taken at the generated samples",
            "tfwgan/penalties.py", "    return r1_penalty(critic, real, reduction=\"none\")",
            "    return r1_penalty(critic, fake, reduction=\"none\")",
            ("tests/penalties_test.py",), select="R1R2"),
    Variant("r1_gamma_not_halved", "R1 with γ instead of γ/2",
            "tfwgan/penalties.py", "reductions.reduce_per_example(0.5 * _sum_per_example(",
            "reductions.reduce_per_example(1.0 * _sum_per_example(",
            ("tests/penalties_test.py",), select="R1R2"),
    Variant("lazy_penalty_not_scaled", "a lazy penalty not multiplied by its interval",
            "tfwgan/gan.py", "(self.penalty_weight * self.penalty.every) * penalty",
            "self.penalty_weight * penalty", ("tests/gan_test.py::TrainStepTest",),
            select="lazy"),
    Variant("lazy_penalty_due_late", "a lazy penalty due in the updates after the k-th",
            "tfwgan/gan.py", "due = tf.equal(self.critic_optimizer.iterations % self.penalty.every, 0)",
            "due = tf.equal(self.critic_optimizer.iterations % self.penalty.every, 1)",
            ("tests/gan_test.py::TrainStepTest",), select="lazy"),

    # Spectral normalisation by the paper (#42): Miyato et al. 2018, Alg. 1.
    Variant("power_iteration_never_updates_u", "the power iteration never updates u",
            "tfwgan/spectral_norm.py",
            "    self.u.assign(_normalized(ops.matmul(ops.transpose(matrix), v)))",
            "    pass", ("tests/spectral_norm_test.py",)),
    Variant("sigma_from_the_wrong_axis", "σ of a transposed convolution's kernel from the "
            "wrong axis", "tfwgan/spectral_norm.py",
            "  return -2 if isinstance(layer, keras.layers.Conv2DTranspose) else -1",
            "  return -1", ("tests/spectral_norm_test.py",)),
    Variant("gradient_stopped_at_w_over_sigma", "the gradient stopped at σ (Keras' "
            "SpectralNormalization: W/σ written back, σ a constant)", "tfwgan/spectral_norm.py",
            "    matrix = kernel_matrix(self.layer)\n    u, v = ops.stop_gradient(self.u)",
            "    matrix = ops.stop_gradient(kernel_matrix(self.layer))\n    u, v = "
            "ops.stop_gradient(self.u)", ("tests/spectral_norm_test.py",)),
    Variant("power_iteration_per_call", "a power iteration in every training call (3 per "
            "WGAN-GP critic update) instead of one per update", "tfwgan/spectral_norm.py",
            "    del training   # σ comes from the held u, v in either mode",
            "    if training:\n      self.power_iteration()", ("tests/spectral_norm_test.py",)),
    Variant("sigma_divides_the_bias", "the bias divided by σ too (W/σ and b/σ)",
            "tfwgan/spectral_norm.py", "      outputs = (outputs - bias) / sigma + bias",
            "      outputs = outputs / sigma", ("tests/spectral_norm_test.py",)),
    Variant("lecam_anchors_kept_from_a_reverted_update", "LeCam's anchors stored even when "
            "the update was reverted (skip_batch: one NaN batch poisons them for good)",
            "tfwgan/critic_terms.py",
            "      self.state[key].assign(tf.where(kept > 0, value, self.state[key]))",
            "      self.state[key].assign(value)", ("tests/critic_terms_test.py",)),
    Variant("generator_power_iteration_after_the_anchor", "the generator's power iteration "
            "after RWP's anchor ran (g_θk−1 with the old u)", "tfwgan/gan.py",
            "    spectral_norm.power_iteration(self.generator)   # before the anchor: both use "
            "the new u\n    if isinstance(self.proximal, proximal_lib.RWP):\n"
            "      anchor_generated = self.generator_anchor(inputs, training=True)",
            "    if isinstance(self.proximal, proximal_lib.RWP):\n"
            "      anchor_generated = self.generator_anchor(inputs, training=True)\n"
            "    spectral_norm.power_iteration(self.generator)",
            ("tests/spectral_norm_test.py",), select="rwp"),

    # Critic terms that add to any penalty (#42): LeCam, balanced consistency.
    Variant("lecam_anchors_swapped", "LeCam pulls the real scores to the real anchor (and the "
            "generated to the generated)", "tfwgan/critic_terms.py",
            "  real_gap = _flat(real_scores) - fake_anchor\n  fake_gap = real_anchor - "
            "_flat(fake_scores)",
            "  real_gap = _flat(real_scores) - real_anchor\n  fake_gap = fake_anchor - "
            "_flat(fake_scores)", ("tests/critic_terms_test.py",)),
    Variant("lecam_anchor_not_bias_corrected", "LeCam's moving averages used without the "
            "authors' bias correction", "tfwgan/critic_terms.py",
            "    correction = 1.0 - tf.pow(self.decay, tf.maximum(state[\"updates\"], 1.0))",
            "    correction = 1.0", ("tests/critic_terms_test.py",)),
    Variant("consistency_on_real_samples_only", "the consistency term on the real samples "
            "only (CR-GAN, not balanced)", "tfwgan/critic_terms.py",
            "    return self.real_weight * real_term + self.fake_weight * fake_term",
            "    return self.real_weight * real_term", ("tests/critic_terms_test.py",)),
    Variant("lecam_per_replica_means", "LeCam's anchors from each replica's own mean (replicas "
            "drift apart)", "tfwgan/critic_terms.py",
            "      mean = cross_replica_sum(tf.reduce_sum(scores)) / cross_replica_sum(\n"
            "          tf.cast(tf.size(scores), tf.float32))",
            "      mean = tf.reduce_mean(scores)", (MIRRORED,), select="lecam"),

    Variant("flip_drawn_per_pixel", "the flip drawn per pixel instead of per sample",
            "tfwgan/augment.py", "  mirrored = _per_sample(images, rng) < 0.5",
            "  mirrored = rng.uniform(tf.shape(images), dtype=images.dtype) < 0.5",
            ("tests/augment_test.py",), select="flip"),
    Variant("dragan_alpha_per_entry", "DRAGAN's α drawn per entry, not per sample",
            "tfwgan/penalties.py",
            "  alpha = generator.uniform(_per_sample_shape(real), dtype=real.dtype)",
            "  alpha = generator.uniform(tf.shape(real), dtype=real.dtype)",
            ("tests/penalties_test.py",), select="draw_has"),
    Variant("lp_perturbation_per_sample", "WGAN-LP's perturbation one value per sample, not "
            "per entry", "tfwgan/penalties.py",
            "  return x + std * _rng(rng).normal(tf.shape(x), dtype=x.dtype)",
            "  return x + std * _rng(rng).normal(_per_sample_shape(x), dtype=x.dtype)",
            ("tests/penalties_test.py",), select="draw_has"),
    Variant("lecam_anchors_from_the_live_scores", "LeCam's anchors not held (the gradient "
            "runs through the moving average)", "tfwgan/critic_terms.py",
            "      scores = tf.cast(_flat(tf.stop_gradient(scores)), tf.float32)",
            "      scores = tf.cast(_flat(scores), tf.float32)",
            ("tests/gan_test.py::BaselinesOneIterationTest",)),
    Variant("generator_power_iteration_skipped", "the generator's power iteration never run "
            "(u, v stay at their start)", "tfwgan/gan.py",
            "    spectral_norm.power_iteration(self.generator)   # before the anchor: both use "
            "the new u\n",
            "", (MATRIX,), select="sn_hinge and dcgan28"),
    Variant("resize_mode_ignored", "the evaluation's resize mode ignored (always bilinear)",
            "tfwgan/evaluation/resize.py", '  if check(mode) == "bilinear":', "  if True:",
            ("tests/evaluation_resize_test.py",)),
    # Issue #43: intra-class FID by the reference protocol, classifiers' records, caches.
    Variant("intra_class_fid_from_uniform_labels", "intra-class FID on the uniformly drawn "
            "labels (unequal counts per class) instead of the per-class pass",
            "tfwgan/evaluation/scoring.py",
            "    distances = metrics_lib.intra_class_fid(per_class.features, per_class.labels,",
            "    distances = metrics_lib.intra_class_fid(generated.features, generated.labels,",
            ("tests/evaluation_scoring_test.py",)),
    Variant("intra_class_fid_drops_an_undrawn_class", "a class without generated (or real) "
            "samples silently left out of the mean", "tfwgan/evaluation/metrics.py",
            "  for label in range(num_classes):\n    if min(",
            "  for label in np.intersect1d(generated_labels, real_labels):\n    if min(",
            ("tests/evaluation_scoring_test.py",)),
    Variant("classifier_training_not_stamped", "a trained classifier's data and held-out "
            "accuracy left out of the scores' protocol", "tfwgan/training.py",
            "      classifier_training=None if toy or pixels else domain_classifier.stamp("
            "config.classifier),",
            "      classifier_training=None,", ("tests/training_test.py",),
            select="protocol or shipped_mnist_classifier"),
    Variant("real_cache_shared_across_classifier_weights", "the real outputs' cache reused "
            "by a retrained classifier of the same name", "tfwgan/training.py",
            "                        config.feature_layer, (_classifier_sha256(config) or "
            "\"unhashed\")[:12]])",
            "                        config.feature_layer])",
            ("tests/training_test.py",), select="cache_is_per"),
    Variant("dinov2_patch_tokens", "DINOv2 features from the patch tokens' mean, not the CLS "
            "token", "tfwgan/evaluation/classifiers.py",
            "    return tokens[:, 0], tf.zeros([tf.shape(images)[0], 0])",
            "    return tf.reduce_mean(tokens[:, 1:], axis=1), tf.zeros([tf.shape(images)[0], 0])",
            ("tests/evaluation_classifiers_test.py",), select="dinov2"),
    Variant("kid_over_one_subset", "KID over one subset of the sets, however large",
            "tfwgan/evaluation/metrics.py",
            "  return (integer_at_least(\"kid_subsets\", subsets) if size < max(count_a, count_b) "
            "else 1), size",
            "  return 1, size", ("tests/evaluation_metrics_test.py",)),
    Variant("real_cache_shared_across_resizes", "the real outputs' cache reused across resize "
            "modes", "tfwgan/training.py",
            "  return \"-\".join([source, size, classifier, str(count)] + resize) + \".npz\"",
            "  return \"-\".join([source, size, classifier, str(count)]) + \".npz\"",
            (WIRING,), select="eval_resize"),
    Variant("ada_p_adjusted_with_the_wrong_sign", "ADA's p lowered when r_t is above the "
            "target (more augmentation when the critic does not overfit)", "tfwgan/ada.py",
            "+ tf.sign(r_t - self.target) * image_count",
            "- tf.sign(r_t - self.target) * image_count", ("tests/ada_test.py",)),
    Variant("ada_p_not_checkpointed", "ADA's p and its interval left out of the checkpoint (a "
            "resumed run restarts from p = 0)", "tfwgan/gan.py",
            "    for key, variable in self._adaptive_state.items():   # ADA's p and its interval\n"
            "      items[f\"ada_{key}\"] = variable\n",
            "", ("tests/ada_test.py",)),
    Variant("ada_adjusted_every_update", "ADA's p adjusted after every critic update, not "
            "every `interval` (4) of them", "tfwgan/ada.py",
            "    due = tf.logical_and(kept > 0, updates >= self.interval)",
            "    due = kept > 0", ("tests/ada_test.py",)),
    Variant("ada_signs_per_replica", "ADA's r_t from each replica's own scores (replicas' p "
            "drift apart)", "tfwgan/ada.py",
            "    self._pending = (cross_replica_sum(tf.reduce_sum(tf.sign(scores))),\n"
            "                     cross_replica_sum(tf.cast(tf.size(scores), tf.float32)))",
            "    self._pending = (tf.reduce_sum(tf.sign(scores)),\n"
            "                     tf.cast(tf.size(scores), tf.float32))", (MIRRORED,),
            select="ada"),
    Variant("ada_gate_per_pixel", "ADA's gate drawn per pixel (each pixel from another "
            "augmentation)", "tfwgan/augment.py",
            "        applied = _per_sample(images, rng) < tf.cast(probability, images.dtype)",
            "        applied = rng.uniform(tf.shape(images), dtype=images.dtype) < tf.cast("
            "probability, images.dtype)", ("tests/augment_test.py",)),
    Variant("mirror_real_from_a_fresh_seed", "the real data's mirror draws not keyed by the "
            "fit step (a resumed run mirrors other images)", "tfwgan/data.py",
            "  return steps.enumerate(start).map(flip)",
            "  return steps.enumerate(0).map(flip)", ("tests/data_test.py",)),

]



def _copy_tree(destination, tests_from=None):
  for name in ("tfwgan", "tests", "launchers", "saved_models"):
    shutil.copytree(os.path.join(ROOT, name), os.path.join(destination, name),
                    ignore=shutil.ignore_patterns("__pycache__"))
  for name in ("pytest.ini", "README.md"):   # README: the tests that read its commands
    shutil.copy(os.path.join(ROOT, name), destination)
  if tests_from:  # the suite as it was at that commit, against today's library
    shutil.rmtree(os.path.join(destination, "tests"))
    archive = subprocess.run(["git", "archive", tests_from, "tests"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", destination], input=archive, check=True)


def _old_suite(variant):
  """With --tests_from: the variant's test files as a whole (its test names may be new)."""
  files = tuple(dict.fromkeys(test.split("::")[0] for test in variant.tests))
  return dataclasses.replace(variant, tests=files, select="")


def _pytest(directory, tests, select):
  command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
  if select:
    command += ["-k", select]
  # The copy's tfwgan comes before the installed (editable) one.
  env = dict(os.environ, PYTHONPATH=directory, TF_CPP_MIN_LOG_LEVEL="3")
  result = subprocess.run(command, cwd=directory, env=env, capture_output=True, text=True)
  return result.returncode, (result.stdout + result.stderr)


def _failed(code, output):
  """A test failed: exit code 1, or 2 when pytest-xdist stopped the run at that failure (-x)
  rather than at an import or collection error."""
  summary = str(_summary_line(output))
  return code == 1 or (code == 2 and "during collection" not in output and (
      _failed_test(output) != "?" or re.search(r"\b\d+ failed\b", summary) is not None))


def _failed_test(output):
  for line in output.splitlines():
    if line.startswith("FAILED "):
      return line.split()[1].split(" - ")[0]
  return "?"


def _summary_line(output):
  """pytest's closing line ('3 passed in 5.1s', an error count, ...)."""
  lines = [line for line in output.splitlines()
           if re.match(r"^=*\s*(\d+ (passed|failed|errors?|deselected)|no tests ran)", line)]
  return lines[-1].strip("= ") if lines else output.strip().splitlines()[-1:]


def _apply(directory, variant):
  path = os.path.join(directory, variant.path)
  with open(path) as handle:
    text = handle.read()
  count = text.count(variant.original)
  if count != variant.occurrences:
    return (f"expected {variant.occurrences} occurrence(s) of the original text in "
            f"{variant.path}, found {count}")
  with open(path, "w") as handle:
    handle.write(text.replace(variant.original, variant.wrong))
  return None


def run(variants, tests_from=None):
  rows, bad = [], 0
  if tests_from:
    variants = [_old_suite(variant) for variant in variants]
  with tempfile.TemporaryDirectory(prefix="tfwgan-mutants-") as directory:
    _copy_tree(directory, tests_from)
    # The unchanged code passes every selected test (else every variant looks caught).
    for tests, select in dict.fromkeys((v.tests, v.select) for v in variants):
      code, output = _pytest(directory, tests, select)
      if code != 0:
        sys.exit(f"the unchanged code fails {' '.join(tests)} -k {select!r} (exit {code}):\n"
                 f"{output[-3000:]}")
    for variant in variants:
      start = time.perf_counter()
      pristine = os.path.join(directory, variant.path)
      with open(pristine) as handle:
        saved = handle.read()
      problem = _apply(directory, variant)
      if problem:
        verdict, evidence = "NOT APPLIED", problem
      else:
        code, output = _pytest(directory, variant.tests, variant.select)
        verdict = "caught" if _failed(code, output) else {0: "SURVIVED"}.get(code, "ERROR")
        evidence = _failed_test(output) if verdict == "caught" else _summary_line(output)
      with open(pristine, "w") as handle:
        handle.write(saved)
      bad += verdict != "caught"
      rows.append((variant.name, variant.bug, verdict, str(evidence)))
      print(f"{variant.name}: {verdict} ({time.perf_counter() - start:.0f} s) {evidence}",
            flush=True)
  print("\n| variant | plausible bug | verdict | first failing test |\n|---|---|---|---|")
  for row in rows:
    print("| " + " | ".join(row) + " |")
  return bad


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--only", default="", help="comma-separated variant names")
  parser.add_argument("--list", action="store_true", help="list the variants and exit")
  parser.add_argument("--tests_from", default=None, help="a git commit: run the variants "
                      "against the test files as they were there (did the old suite catch "
                      "them?)")
  args = parser.parse_args()
  by_name = {variant.name: variant for variant in VARIANTS}
  if args.list:
    for variant in VARIANTS:
      print(f"{variant.name}: {variant.bug} [{variant.path}; {' '.join(variant.tests)}]")
    return 0
  names = [name for name in args.only.split(",") if name] or list(by_name)
  unknown = sorted(set(names) - set(by_name))
  if unknown:
    parser.error(f"--only: unknown variants {unknown}; allowed: {sorted(by_name)}")
  return 1 if run([by_name[name] for name in names], args.tests_from) else 0


if __name__ == "__main__":
  sys.exit(main())
