"""Media: finding ffmpeg, probing, thumbnails, the export plan and the ffmpeg process runner (DESIGN §6)."""
