"""What pre-training and fine-tuning share: background jobs that report progress and can be cancelled."""
