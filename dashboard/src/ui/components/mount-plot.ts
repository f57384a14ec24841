// A uPlot chart that follows its container's width: what every chart of the UI
// does when it draws. Returns the effect's cleanup.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export function mountPlot(
  options: uPlot.Options,
  data: uPlot.AlignedData,
  element: HTMLElement,
  height: number,
): () => void {
  const plot = new uPlot(options, data, element);
  const observer = new ResizeObserver(() => plot.setSize({ width: element.clientWidth, height }));
  observer.observe(element);
  return () => {
    observer.disconnect();
    plot.destroy();
  };
}
