/** The ROI tool registry (src/renderer/viewer/tools): one module per tool, consistent with the shared data and the shortcuts table. */
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../src/core/geometry/vec3';
import { keyHint } from '../../src/shared/shortcuts';
import { ROI_TOOL_IDS, ROI_TOOL_INFO, TOOLS } from '../../src/shared/tools';
import { annotationToPointsLps, CONTOUR_TOOLS, isContourTool, roiToAnnotation } from '../../src/renderer/viewer/adapters';
import { MAX_POLYGON_HANDLES, ROI_TOOL_LIST, ROI_TOOLS, roiToolByName } from '../../src/renderer/viewer/tools';

const plane = { referencedImageId: 'paraspine:v1/0', frameOfReferenceUid: 'for', viewPlaneNormal: [0, 0, -1] as Vec3, viewUp: [0, -1, 0] as Vec3 };

describe('ROI tool registry', () => {
  it('has one module per ROI tool id, carrying the shared id, label and key', () => {
    expect(ROI_TOOL_LIST.map((t) => t.id)).toEqual([...ROI_TOOL_IDS]);
    for (const id of ROI_TOOL_IDS) {
      const t = ROI_TOOLS[id];
      expect(t).toMatchObject({ id, label: ROI_TOOL_INFO[id].label, key: ROI_TOOL_INFO[id].key });
      expect(typeof t.toolClass.toolName).toBe('string');
      expect(t.configuration).toMatchObject({ calculateStats: false });
      expect(roiToolByName(t.toolName)).toBe(t);
      expect(isContourTool(t.toolName)).toBe(true);
      // the key the module declares is the key the shortcuts table binds (and the toolbar shows)
      expect(keyHint({ type: 'setTool', tool: id })).toBe(t.key);
    }
    expect(new Set(CONTOUR_TOOLS).size).toBe(ROI_TOOL_LIST.length);
    expect(isContourTool('Length')).toBe(false);
    expect(TOOLS.map((t) => t.id)).toEqual(['polygon', 'spline', 'freehand', 'livewire', 'grow', 'brush', 'eraser', 'scissors', 'oval', 'pan', 'zoom', 'window']);
  });

  it('keeps the Cornerstone names and configurations the viewer used', () => {
    expect(ROI_TOOLS.polygon.toolName).toBe('LinearSplineROI');
    expect(ROI_TOOLS.spline.toolName).toBe('CatmullRomSplineROI');
    expect(ROI_TOOLS.freehand.toolName).toBe('PlanarFreehandROI');
    expect(ROI_TOOLS.polygon.toolClass.toolName).toBe('SplineROI');
    expect(ROI_TOOLS.spline.toolClass).toBe(ROI_TOOLS.polygon.toolClass);
    expect(ROI_TOOLS.polygon.configuration).toMatchObject({ spline: { type: 'LINEAR', drawPreviewEnabled: true, lastControlPointDeletionKeys: ['Backspace'] } });
    expect(ROI_TOOLS.spline.configuration).toMatchObject({ spline: { type: 'CATMULLROM' } });
  });

  it('each module maps its own annotations to contours; restoring picks the first tool that takes the contour', () => {
    const tri: Vec3[] = [
      [0, 0, 1],
      [4, 0, 1],
      [0, 3, 1],
    ];
    for (const t of ROI_TOOL_LIST) {
      const a = t.toAnnotation({ id: `r-${t.id}`, pointsLps: tri }, plane);
      if (!a) continue;
      expect(a.metadata.toolName).toBe(t.toolName);
      expect(t.toContour(a)).toEqual(tri);
      expect(annotationToPointsLps(a)).toEqual(tri);
    }
    expect(ROI_TOOLS.spline.toAnnotation({ id: 's', pointsLps: tri }, plane)).toBeNull();
    expect(roiToAnnotation({ id: 'a', pointsLps: tri }, plane).metadata.toolName).toBe(ROI_TOOLS.polygon.toolName);
    const many = Array.from({ length: MAX_POLYGON_HANDLES + 1 }, (_, k) => [Math.cos(k), Math.sin(k), 1] as Vec3);
    expect(roiToAnnotation({ id: 'b', pointsLps: many }, plane).metadata.toolName).toBe(ROI_TOOLS.freehand.toolName);
  });
});
