package suiterun

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// SonobuoyArchive is the name of the archive WriteDone packs the results into.
const SonobuoyArchive = "conformance-results.tar.gz"

// WriteDone hands a run's results to a Sonobuoy worker: it packs dir into a gzipped tar
// beside doneFile and then writes the archive's path into doneFile, which is the worker's
// signal that the plugin has finished (Sonobuoy's plugin contract). The done file is written
// last, so the worker never collects a half-written archive.
func WriteDone(dir, doneFile string) error {
	doneFile, err := filepath.Abs(doneFile)
	if err != nil {
		return fmt.Errorf("done file: %w", err)
	}
	archive := filepath.Join(filepath.Dir(doneFile), SonobuoyArchive)
	// A run stopped by a configuration error may not have created dir; the worker must still
	// be told that the plugin has finished.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("pack results for Sonobuoy: %w", err)
	}
	if err := packDir(dir, archive); err != nil {
		return fmt.Errorf("pack results for Sonobuoy: %w", err)
	}
	if err := os.WriteFile(doneFile, []byte(archive), 0o644); err != nil {
		return fmt.Errorf("done file: %w", err)
	}
	return nil
}

func packDir(dir, archive string) (err error) {
	absArchive, err := filepath.Abs(archive)
	if err != nil {
		return err
	}
	f, err := os.Create(absArchive)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	walkErr := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return err
		}
		if abs == absArchive || !(d.IsDir() || d.Type().IsRegular()) {
			return nil // the archive itself, when it sits inside dir; no links or devices
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil || rel == "." {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		hdr, err := tar.FileInfoHeader(info, "")
		if err != nil {
			return err
		}
		hdr.Name = filepath.ToSlash(rel)
		if d.IsDir() {
			hdr.Name += "/"
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		src, err := os.Open(path)
		if err != nil {
			return err
		}
		defer src.Close()
		_, err = io.Copy(tw, src)
		return err
	})
	if walkErr != nil {
		return walkErr
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}
