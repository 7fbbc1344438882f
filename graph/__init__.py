"""Graph model, build step, artifact format and storage backends of ttkg."""
